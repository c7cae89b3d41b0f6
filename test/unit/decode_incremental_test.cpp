// The decoder fed in pieces: any split gives the result of the whole text, and values grow in
// place as the text arrives (what streaming builds on).
#include "models.hpp"

#include <instructor/stream.hpp>

#include <gtest/gtest.h>

namespace decode_incremental_test {

using namespace models;

namespace {

constexpr std::string_view person_doc =
    R"({"name":"Zo\u00eb \"Z\"","age":40,"extra":{"k":[1,"two",{"3":null}]},"addresses":[
        {"street":"1 Main St","city":"Springfield"},
        {"street":"2 Side St","city":"Shelbyville","country":"US"}]})";

template <class T>
std::string feed(std::string_view doc, std::size_t chunk, bool& ok, T* out = nullptr)
{
    ins::decoder<T> d;
    for (std::size_t i = 0; i < doc.size(); i += chunk)
        d.write(doc.substr(i, chunk));
    ok = d.finish();
    if (out && ok)
        *out = d.take();
    return ins::format_issues(d.issues());
}

}  // namespace

TEST(DecodeIncremental, EverySplitPointGivesTheWholeResult)
{
    auto whole = ins::from_json<Person>(person_doc);
    for (std::size_t cut = 0; cut <= person_doc.size(); ++cut) {
        ins::decoder<Person> d;
        ASSERT_TRUE(d.write(person_doc.substr(0, cut)));
        ASSERT_TRUE(d.write(person_doc.substr(cut)));
        ASSERT_TRUE(d.finish()) << "cut at " << cut << ": " << ins::format_issues(d.issues());
        auto p = d.take();
        EXPECT_EQ(ins::to_json(p), ins::to_json(whole)) << "cut at " << cut;
    }
}

TEST(DecodeIncremental, ByteByByteSameIssuesAsWhole)
{
    constexpr std::string_view bad =
        R"({"name":"J","age":"thirty","addresses":[{"street":"s"},{"street":1,"city":"c"}]})";
    bool ok = true;
    auto pieces = feed<Person>(bad, 1, ok);
    EXPECT_FALSE(ok);
    EXPECT_EQ(pieces, ins::format_issues(ins::decode<Person>(bad).issues));
    Household h;
    feed<Household>(R"({"pets":[{"name":"Tom","indoor":true},{"name":"Rex","breed":"lab"}],
                        "rooms":{"kitchen":1}})",
                    3, ok, &h);
    ASSERT_TRUE(ok);
    EXPECT_TRUE(std::holds_alternative<Dog>(h.pets[1]));
}

TEST(DecodeIncremental, StringsGrowInPlaceAsTheTextArrives)
{
    ins::decoder<UserInfo> d;
    d.write(R"({"name":"Jo)");
    EXPECT_EQ(d.value().name, "Jo");
    d.write(R"(hn Do)");
    EXPECT_EQ(d.value().name, "John Do");
    d.write(R"(e","age":3)");
    EXPECT_EQ(d.value().name, "John Doe");
    EXPECT_FALSE(d.done());
    d.write("2}");
    EXPECT_TRUE(d.done());
    EXPECT_EQ(d.value().age, 32);
    EXPECT_TRUE(d.finish());
}

TEST(DecodeIncremental, ListItemsAppearAsTheyClose)
{
    ins::decoder<Person> d;
    d.write(R"({"name":"A","age":1,"addresses":[{"street":"s1","city":"c1"},)");
    ASSERT_EQ(d.value().addresses.size(), 1u);
    EXPECT_EQ(d.value().addresses[0].city, "c1");
    d.write(R"({"street":"s2")");
    ASSERT_EQ(d.value().addresses.size(), 2u);
    EXPECT_EQ(d.value().addresses[1].street, "s2");
    d.write(R"(,"city":"c2"}]})");
    EXPECT_TRUE(d.finish());
}

TEST(DecodeIncremental, TruncatedStreamIsAnError)
{
    bool ok = true;
    auto msg = feed<UserInfo>(R"({"name":"J","ag)", 4, ok);
    EXPECT_FALSE(ok);
    EXPECT_EQ(msg, "Invalid JSON at byte 15: the text ends before the JSON value is complete");
}

TEST(DecodeIncremental, GarbageAfterTheValueInALaterPiece)
{
    ins::decoder<UserInfo> d;
    EXPECT_TRUE(d.write(R"({"name":"J","age":1})"));
    EXPECT_TRUE(d.write("  \n"));
    EXPECT_FALSE(d.write(" x"));
    EXPECT_FALSE(d.finish());
    EXPECT_EQ(ins::format_issues(d.issues()),
              "Invalid JSON at byte 24: unexpected text after the JSON value near \"x\"");
}

TEST(DecodeIncremental, NothingIsAcceptedAfterASyntaxError)
{
    ins::decoder<UserInfo> d;
    EXPECT_FALSE(d.write(R"({"name":})"));
    EXPECT_FALSE(d.write(R"("J","age":1})"));
    EXPECT_FALSE(d.finish());
    EXPECT_EQ(d.issues().size(), 1u);
}

TEST(DecodeIncremental, KeysSplitAcrossPieces)
{
    ins::decoder<UserInfo> d;
    for (auto piece : {R"({"na)", R"(m)", R"(e":"X","a)", R"(ge":7})"})
        d.write(piece);
    ASSERT_TRUE(d.finish());
    EXPECT_EQ(d.value().name, "X");
    EXPECT_EQ(d.value().age, 7);
}

namespace {

struct Inner {
    int a;
    int b;
};
BOOST_DESCRIBE_STRUCT(Inner, (), (a, b))

struct Outer {
    std::string name;
    Inner inner;
    std::vector<Inner> list;
};
BOOST_DESCRIBE_STRUCT(Outer, (), (name, inner, list))

}  // namespace

// partial<T>::has() with a chain of members answers for nested models as their keys arrive.
TEST(DecodeIncremental, HasFollowsNestedMembersAsTheirKeysArrive)
{
    ins::decoder<Outer> dec;
    auto snapshot = [&] { return ins::partial<Outer>(dec.value(), &dec.session(), 1, false, false); };
    dec.write(R"({"name": "x", "inner": {"a)");
    EXPECT_TRUE(snapshot().has(&Outer::name));
    EXPECT_TRUE(snapshot().has(&Outer::inner));
    EXPECT_FALSE(snapshot().has(&Outer::inner, &Inner::a));  // the key is not whole yet
    dec.write(R"(": 1, )");
    EXPECT_TRUE(snapshot().has(&Outer::inner, &Inner::a));
    EXPECT_FALSE(snapshot().has(&Outer::inner, &Inner::b));
    EXPECT_FALSE(snapshot().has(&Outer::list));
    dec.write(R"("b": 2}, "list": [{"a": 1, "b": 2}]})");
    EXPECT_TRUE(snapshot().has(&Outer::inner, &Inner::b));
    EXPECT_TRUE(snapshot().has(&Outer::list));
    ASSERT_TRUE(dec.finish());
    auto const done = ins::partial<Outer>(dec.value(), nullptr, 1, false, true);
    EXPECT_TRUE(done.has(&Outer::inner, &Inner::b));
}

// A thread keeps a decode's state for its next decode: whatever the last one left (frames open
// mid-value, issues, members seen, a variant's value half captured, a syntax error, text
// allowed after the value, an observer, a lower depth limit), the next judges as a fresh
// decoder would.
TEST(DecodeIncremental, ADecodeAfterAnyOtherJudgesAsAFreshOne)
{
    int observed = 0;
    auto const fresh_doc = std::string(R"({"name":"Y","inner":{"a":3,"b":4},"list":[]})");
    auto fresh = [&] {
        int const observed_before = observed;
        {
            ins::decoder<Outer> d;  // the kept state, if any
            EXPECT_TRUE(d.issues().empty());
            EXPECT_EQ(d.session().changes(), 0u);
            auto snapshot = [&] {
                return ins::partial<Outer>(d.value(), &d.session(), 1, false, false);
            };
            EXPECT_FALSE(snapshot().has(&Outer::name));
            EXPECT_FALSE(snapshot().has(&Outer::inner, &Inner::a));
            d.write(R"({"inner":{"a":3,)");
            EXPECT_FALSE(snapshot().has(&Outer::name));
            EXPECT_TRUE(snapshot().has(&Outer::inner, &Inner::a));
            EXPECT_FALSE(snapshot().has(&Outer::inner, &Inner::b));
            EXPECT_TRUE(d.write(R"("b":4},"name":"Y","list":[]} )"));
            EXPECT_FALSE(d.write("trailing"));  // never allowed unless asked for
            EXPECT_FALSE(d.finish());
            EXPECT_EQ(
                ins::format_issues(d.issues()),
                "Invalid JSON at byte 45: unexpected text after the JSON value near \"trailing\"");
        }
        ins::decoder<Outer> whole;  // the state the decode above kept
        EXPECT_TRUE(whole.issues().empty());
        EXPECT_TRUE(whole.write(fresh_doc));
        EXPECT_TRUE(whole.finish()) << ins::format_issues(whole.issues());
        EXPECT_EQ(whole.value().inner.b, 4);
        EXPECT_EQ(observed, observed_before);  // no observer of an earlier decode is told
    };
    fresh();
    {  // left mid-value, deep in a list, with issues and members seen
        ins::decoder<Outer> d;
        d.write(R"({"name":"X","list":[{"a":"one","b":2},{"a":[)");
        EXPECT_FALSE(d.issues().empty());
    }
    fresh();
    {  // a variant's value half captured
        ins::decoder<Household> d;
        d.write(R"({"pets":[{"name":"Tom","indoor":true},{"name":"Rex","br)");
    }
    fresh();
    {  // a syntax error, text allowed after the value, an observer
        ins::decoder<Outer> d;
        d.session().ignore_trailing_text();
        d.session().set_observer([](void* n, std::size_t, bool) { ++*static_cast<int*>(n); },
                                 &observed);
        d.write(R"({"name":"x","inner":})");
    }
    EXPECT_GT(observed, 0);
    fresh();
    {  // a lower depth limit: the next decode has its own
        ins::decode_options shallow;
        shallow.max_depth = 2;
        ins::decoder<Outer> d(shallow);
        EXPECT_FALSE(d.write(R"({"list":[{"a":1}]})"));
    }
    fresh();
    {  // one finished whole, its value taken
        ins::decoder<Outer> d;
        d.write(fresh_doc);
        ASSERT_TRUE(d.finish());
        EXPECT_EQ(d.take().name, "Y");
    }
    fresh();
    {  // a session moved to itself keeps its state
        ins::decoder<Outer> d;
        d.write(R"({"name":"Z")");
        auto* s = &d.session();
        *s = std::move(d.session());
        EXPECT_TRUE(d.write(R"(,"inner":{"a":1,"b":2},"list":[]})"));
        EXPECT_TRUE(d.finish()) << ins::format_issues(d.issues());
        EXPECT_EQ(d.value().name, "Z");
    }
    fresh();
}

}  // namespace decode_incremental_test
