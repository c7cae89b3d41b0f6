// T -> JSON, and back.
#include "models.hpp"

#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace encode_test {

using namespace models;

TEST(Encode, ModelToCompactJson)
{
    EXPECT_EQ(ins::to_json(UserInfo{"John \"JD\" Doe\n", 32}),
              R"({"name":"John \"JD\" Doe\n","age":32})");
}

TEST(Encode, EveryMemberKind)
{
    Ticket t{"Fix", Priority::medium, {"a", "b"}, std::nullopt};
    EXPECT_EQ(ins::to_json(t),
              R"({"title":"Fix","priority":"medium","tags":["a","b"],"estimate_hours":null})");
    Household h{{Cat{"Tom", true}, Dog{"Rex", "lab"}}, {{"bed", 2}, {"attic", 0}}};
    EXPECT_EQ(ins::to_json(h),
              R"({"pets":[{"name":"Tom","indoor":true},{"name":"Rex","breed":"lab"}],)"
              R"("rooms":{"attic":0,"bed":2}})");
    Anything a{"k", boost::json::parse(R"({"x":[1,null]})"), false};
    EXPECT_EQ(ins::to_json(a), R"({"kind":"k","payload":{"x":[1,null]},"flag":false})");
    Derived d;
    d.id = "i";
    d.values = {0.1, -2, 1e300};
    EXPECT_EQ(ins::to_json(d), R"({"id":"i","values":[0.1,-2,1e+300]})");
}

TEST(Encode, ControlCharactersAreEscaped)
{
    EXPECT_EQ(ins::to_json(UserInfo{std::string("a\x01\tb\\", 5), 0}),
              R"({"name":"a\u0001\tb\\","age":0})");
}

// Texts with characters to escape anywhere (first, last, several in a word, long plain runs
// between them, which are read a word at a time) are written as Boost.JSON writes them.
TEST(Encode, EscapesAnywhereInATextAreWrittenAsBoostJsonWritesThem)
{
    std::mt19937 rng(24);
    std::string const specials("\"\\\n\r\t\b\f\x01\x1f\x00", 10);
    for (int round = 0; round < 3000; ++round) {
        std::string text;
        for (int piece = static_cast<int>(rng() % 6); piece > 0; --piece) {
            text.append(rng() % 24, static_cast<char>('a' + rng() % 26));
            if (rng() % 3 == 0)
                text.append("\xc3\xa9\xe2\x82\xac");  // UTF-8 passes as it is
            for (auto n = rng() % 3; n > 0; --n)
                text.push_back(specials[rng() % specials.size()]);
        }
        auto const expected = boost::json::serialize(
            boost::json::object{{"name", boost::json::string_view(text)}, {"age", 0}});
        ASSERT_EQ(ins::to_json(UserInfo{text, 0}), expected) << "round " << round;
    }
}

TEST(Encode, NonFiniteNumbersBecomeNull)
{
    Constrained c{std::numeric_limits<double>::quiet_NaN(), 1, "ABC-1", 2,
                  std::numeric_limits<float>::infinity()};
    EXPECT_EQ(ins::to_json(c),
              R"({"ratio":null,"count":1,"code":"ABC-1","level":2,"weight":null})");
}

TEST(Encode, RoundTrip)
{
    TreeNode n{"root", {{"a", {{"a1", {}}}}, {"b", {}}}};
    auto back = ins::from_json<TreeNode>(ins::to_json(n));
    EXPECT_EQ(ins::to_json(back), ins::to_json(n));
    auto v = ins::to_value(n);
    EXPECT_EQ(v.at("children").at(0).at("label").as_string(), "a");
}

}  // namespace encode_test
