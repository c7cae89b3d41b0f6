// JSON repair: each rule of the repairer, what it refuses to invent, the candidates in a reply,
// decode<T>'s verdict over them, and the corpus of almost-JSON replies.
#include "repair_corpus.hpp"

#include <decode/json_repair.hpp>
#include <instructor/detail/stream_repair.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <set>

namespace json_repair_test {

namespace {

using ins::repair_kind;
using ins::detail::json_repairer;
using ins::detail::repair_candidates;
using repair_corpus::Task;
using repair_corpus::Ticket;
using repair_corpus::User;

struct repaired {
    std::string json;
    std::vector<ins::json_repair> repairs;
    bool done = false;
    bool failed = false;
    std::size_t consumed = 0;

    friend bool operator==(repaired const&, repaired const&) = default;
};

// The text fed in pieces of `piece` bytes (0: whole).
repaired repair(std::string_view text, std::size_t piece = 0)
{
    json_repairer r;
    repaired out;
    if (piece == 0)
        piece = std::max<std::size_t>(text.size(), 1);
    for (std::size_t i = 0; i < text.size(); i += piece)
        out.json += r.feed(text.substr(i, piece));
    out.json += r.finish();
    out.repairs = r.repairs();
    out.done = r.done();
    out.failed = r.failed();
    out.consumed = r.consumed();
    return out;
}

std::vector<repair_kind> kinds_of(std::vector<ins::json_repair> const& repairs)
{
    std::vector<repair_kind> k;
    for (auto const& r : repairs)
        k.push_back(r.kind);
    return k;
}

std::vector<repair_corpus::entry> const& corpus()
{
    static auto const c = repair_corpus::load(INSTRUCTOR_TEST_DATA_DIR "/repair_corpus.json");
    return c;
}

// ---- the repairer, rule by rule ----------------------------------------------------------------

TEST(JsonRepair, EachRuleAlone)
{
    struct rule_case {
        std::string_view text;
        std::string_view json;
        std::vector<ins::json_repair> repairs;
    };
    auto const at = [](repair_kind k, std::size_t offset) { return ins::json_repair{k, offset}; };
    rule_case const cases[] = {
        {R"({"a": 1,})", R"({"a": 1})", {at(repair_kind::trailing_comma, 7)}},
        {"[1, 2, ]", "[1, 2 ]", {at(repair_kind::trailing_comma, 5)}},
        {"[[1,],]", "[[1]]",
         {at(repair_kind::trailing_comma, 3), at(repair_kind::trailing_comma, 5)}},
        {"{\"a\": 1 // why\n}", "{\"a\": 1 \n}", {at(repair_kind::comment, 8)}},
        {"{/* c */\"a\": [1, /* d */ 2]}", "{\"a\": [1,  2]}",
         {at(repair_kind::comment, 1), at(repair_kind::comment, 17)}},
        {R"({'a': 'it\'s "x"'})", R"({"a": "it's \"x\""})",
         {at(repair_kind::single_quotes, 1), at(repair_kind::single_quotes, 6)}},
        {R"(['\\ \n \u00e9'])", R"(["\\ \n \u00e9"])", {at(repair_kind::single_quotes, 1)}},
        {"{a: 1, b_2$-x: 2}", R"({"a": 1, "b_2$-x": 2})",
         {at(repair_kind::unquoted_key, 1), at(repair_kind::unquoted_key, 7)}},
        {"[True, False, None, true, false, null]", "[true, false, null, true, false, null]",
         {at(repair_kind::python_literal, 1), at(repair_kind::python_literal, 7),
          at(repair_kind::python_literal, 14)}},
        {"{\"a\": \"x\ny\tz\r\x01\"}", R"({"a": "x\ny\tz\r\u0001"})",
         {at(repair_kind::control_character, 8), at(repair_kind::control_character, 10),
          at(repair_kind::control_character, 12), at(repair_kind::control_character, 13)}},
        // what is already JSON passes through as it is, escapes and all
        {R"({"a": "\u00e9\n\\\"\/", "b": [-1.5e3, true, null, {}], "c": []})",
         R"({"a": "\u00e9\n\\\"\/", "b": [-1.5e3, true, null, {}], "c": []})", {}},
        {"{True: 1}", R"({"True": 1})", {at(repair_kind::unquoted_key, 1)}},
        // bare values in an object, each the string it spells, trailing blanks trimmed
        {R"({"a": John Doe})", R"({"a": "John Doe"})", {at(repair_kind::unquoted_value, 6)}},
        {R"({"a": high , "b": x})", R"({"a": "high", "b": "x"})",
         {at(repair_kind::unquoted_value, 6), at(repair_kind::unquoted_value, 18)}},
        {R"({"a": [x, y z], "b": N/A})", R"({"a": ["x", "y z"], "b": "N/A"})",
         {at(repair_kind::unquoted_value, 7), at(repair_kind::unquoted_value, 10),
          at(repair_kind::unquoted_value, 21)}},
        {"{\"a\": can't\tstop\t}", R"({"a": "can't\tstop"})",
         {at(repair_kind::unquoted_value, 6)}},
        {"{\"a\": Zo\xc3\xab M\xc3\xbcller\n}", "{\"a\": \"Zo\xc3\xab M\xc3\xbcller\"\n}",
         {at(repair_kind::unquoted_value, 6)}},
        // the six literals keep their meaning; a word that only starts like one is a string
        {R"({"a": True, "b": null, "c": Nonesuch, "d": nullable})",
         R"({"a": true, "b": null, "c": "Nonesuch", "d": "nullable"})",
         {at(repair_kind::python_literal, 6), at(repair_kind::unquoted_value, 28),
          at(repair_kind::unquoted_value, 43)}},
        // unquoted keys of several words
        {R"({first name: "Ann", a  b : 1})", R"({"first name": "Ann", "a  b" : 1})",
         {at(repair_kind::unquoted_key, 1), at(repair_kind::unquoted_key, 20)}},
        // a missing comma between members, on one line or across lines, before any key
        {R"({"a": 1 "b": 2})", R"({"a": 1 ,"b": 2})", {at(repair_kind::missing_comma, 8)}},
        {"{\"a\": x\n  b: true 'c': [1]}", "{\"a\": \"x\"\n  ,\"b\": true ,\"c\": [1]}",
         {at(repair_kind::unquoted_value, 6), at(repair_kind::missing_comma, 10),
          at(repair_kind::unquoted_key, 10), at(repair_kind::missing_comma, 18),
          at(repair_kind::single_quotes, 18)}},
        // `#` comments, outside strings only
        {"{\"a\": 1 # one, two\n, \"b\": \"#x\"}", "{\"a\": 1 \n, \"b\": \"#x\"}",
         {at(repair_kind::comment, 8)}},
        {"[ # list\n1, 2 # two\n]", "[ \n1, 2 \n]",
         {at(repair_kind::comment, 2), at(repair_kind::comment, 14)}},
    };
    for (auto const& c : cases) {
        auto r = repair(c.text);
        EXPECT_EQ(r.json, c.json) << c.text;
        EXPECT_EQ(r.repairs, c.repairs) << c.text;
        EXPECT_TRUE(r.done) << c.text;
        EXPECT_EQ(r.consumed, c.text.size()) << c.text;
        EXPECT_NO_THROW((void)boost::json::parse(r.json)) << c.text;
    }
}

TEST(JsonRepair, FailsRatherThanInventData)
{
    for (std::string_view bad :
         {R"({"a" 1})", R"({"a": })", R"({"a": , "b": 1})", "[1,,2]", "{,}", "[,]", "[,1]",
          R"({"a": undefined})", R"({"a": [1}})", "{1: 2}", R"({"a": "\q"})", R"({"a": "\u12G4"})",
          R"({"a": 1 / 2})", "{'a' 1}", R"({"a": 1}})", R"({"a": 'x' 'y'})", "[-]x"})
    {
        auto r = repair(bad);
        EXPECT_FALSE(r.done && r.consumed == bad.size()) << bad;
    }
    for (std::string_view bad : {R"({"a" 1})", R"({"a": })", "[1,,2]", R"({"a": undefined})"})
        EXPECT_TRUE(repair(bad).failed) << bad;
}

TEST(JsonRepair, BareValuesThatReadTwoWaysFail)
{
    for (std::string_view bad : {
             R"({"a": x: y})",          // a key, or a value holding a colon
             R"({"a": x y: 1})",        // which words are the next key
             R"({"a": x, y})",          // a value holding a comma, or a key without a value
             R"({"a": x "y"})",         // a quote: a value holding it, or a string
             R"({"a": x\y})",           // an escape or a backslash
             R"({"a": x {}})", R"({"a": x [1]})",
             "{\"a\": x // c\n}",      // a comment, or part of the value
             "{\"a\": x /* c */}", "{\"a\": C# dev}", "{\"a\": x # c\n}",
             "{\"a\": x\x01}",
             R"({"a": undefined})", R"({"a": NULL})", R"({"a": nan})", R"({"a": Infinity})",
             R"({"a": none})", R"({"a": TRUE})", R"({"a": nil})", R"({"a": nan(x)})",
             R"({"a": yes})", R"({"a": Off})",  // what lax decoding reads as a boolean
             R"({"a": True story})",    // a literal, then a word: not a string
             "{\"a\": x\ny}",          // a value on the next line is not the same value
             R"(["a" "b"])", "[1 2]",  // in an array two values could be one
             "[x]", "[[x]]", "x",      // bare values only inside an object
             "[#12] see", "{\"a\": 1# c\n}",  // a `#` comment starts after a blank only
             "{a\tb: 1}", "{a\nb: 1}"})
    {
        auto r = repair(bad);
        EXPECT_TRUE(r.failed) << bad;
        EXPECT_EQ(repair(bad, 1), r) << bad;
    }
}

TEST(JsonRepair, BareValuesAreHeldBoundedAndEndTheSameHoweverSplit)
{
    json_repairer r;
    EXPECT_EQ(r.feed(R"({"a": John)"), R"({"a": )");  // held: it may go on
    EXPECT_EQ(r.feed(" Doe  "), "");
    EXPECT_EQ(r.feed("}"), R"("John Doe"})");
    EXPECT_EQ(r.repairs(), (std::vector<ins::json_repair>{{repair_kind::unquoted_value, 6}}));

    json_repairer k;  // blanks in an unquoted key are held until a word or the colon follows
    EXPECT_EQ(k.feed("{first "), "{\"first");
    EXPECT_EQ(k.feed("name :"), " name\" :");

    auto const bare = [](std::size_t n) {
        return "{\"a\": " + std::string(n, 'x') + "}";
    };
    EXPECT_TRUE(repair(bare(json_repairer::max_bare_value)).done);
    EXPECT_TRUE(repair(bare(json_repairer::max_bare_value + 1)).failed);
    json_repairer big;  // fails as the bytes arrive, not when the value ends
    big.feed(R"({"a": )" + std::string(json_repairer::max_bare_value, 'x') + " y");
    EXPECT_TRUE(big.failed());
    json_repairer spaced;
    spaced.feed("{a" + std::string(json_repairer::max_bare_value + 1, ' '));
    EXPECT_TRUE(spaced.failed());

    ins::detail::stream_repair sr;  // a stream holds a bare value the same way, bounded the same
    EXPECT_EQ(sr.feed(R"({"a": hi)"), R"({"a": )");
    EXPECT_EQ(sr.feed("gh}"), R"("high"})");
    ins::detail::stream_repair too_long;
    EXPECT_EQ(too_long.feed(R"({"a": )" + std::string(json_repairer::max_bare_value + 1, 'x')),
              R"({"a": )");
    EXPECT_TRUE(too_long.broken());

    for (std::string_view text :
         {R"({"a": John Doe , "b": [x, y z], c d: high})", "{\"a\": 1\n\"b\": x\nc: 'y' d: 2}",
          "{a: 1 # c, d\n, b: N/A\n# e\n}", "{\"a\": Zo\xc3\xab\t}", R"({"a": x,})",
          R"({"a": True story})", R"({"a": x: y})"})
    {
        auto whole = repair(text);
        for (std::size_t piece : {1, 2, 3, 5})
            EXPECT_EQ(repair(text, piece), whole) << text << " in pieces of " << piece;
    }
}

TEST(JsonRepair, CutOffInputIsNeitherDoneNorFailed)
{
    for (std::string_view cut : {"{", R"({"a": [1, 2)", R"({"a": "x)", R"({"a": 1,)", "[1, ",
                                 R"({"a": Tru)", R"({"a": 1 /* c)", "{a", "['x\\", "[\"\\u12",
                                 "[1 /"})
    {
        auto r = repair(cut);
        EXPECT_FALSE(r.done) << cut;
        EXPECT_FALSE(r.failed) << cut;
    }
}

TEST(JsonRepair, RootScalarsEndWithTheInput)
{
    EXPECT_EQ(repair("True").json, "true");
    EXPECT_TRUE(repair("True").done);
    EXPECT_EQ(repair("  42").json, "  42");
    EXPECT_TRUE(repair("42").done);
    EXPECT_EQ(repair("'x'").json, "\"x\"");
    EXPECT_TRUE(repair("Maybe").failed);
}

TEST(JsonRepair, StopsAfterTheRootValue)
{
    auto r = repair(R"({"a":1} and then some text {"b":2})");
    EXPECT_EQ(r.json, R"({"a":1})");
    EXPECT_TRUE(r.done);
    EXPECT_EQ(r.consumed, 7u);
    auto word = repair("None, then prose");
    EXPECT_EQ(word.json, "null");
    EXPECT_EQ(word.consumed, 4u);
}

TEST(JsonRepair, HoldsBackOnlyWhatItCannotDecideYet)
{
    json_repairer r;
    EXPECT_EQ(r.feed(R"({"text": "a long)"), R"({"text": "a long)");  // strings stream
    EXPECT_EQ(r.feed(" string\"}"), " string\"}");
    EXPECT_TRUE(r.done());

    json_repairer c;
    EXPECT_EQ(c.feed("[1,"), "[1");  // the comma may be trailing
    EXPECT_EQ(c.feed("  "), "");
    EXPECT_EQ(c.feed("// note\n"), "");
    EXPECT_EQ(c.feed("2"), ",  \n2");
    EXPECT_EQ(c.feed("]"), "]");

    json_repairer w;
    EXPECT_EQ(w.feed("[Tru"), "[");  // may be True or an unknown word
    EXPECT_EQ(w.feed("e"), "");
    EXPECT_EQ(w.feed("]"), "true]");

    json_repairer k;
    EXPECT_EQ(k.feed("{some_long_key"), "{\"some_long_key");  // keys stream too
    EXPECT_EQ(k.feed(": 1}"), "\": 1}");

    json_repairer longer;  // a bare word is never held past the longest one known
    longer.feed("[abcdef");
    EXPECT_TRUE(longer.failed());
}

TEST(JsonRepair, NestingDepthIsBounded)
{
    auto nested = [](std::size_t n) { return std::string(n, '[') + std::string(n, ']'); };
    EXPECT_TRUE(repair(nested(64)).done);
    EXPECT_TRUE(repair(nested(65)).failed);
    EXPECT_TRUE(repair(std::string(100000, '[')).failed);  // long before the input ends
    json_repairer shallow(2);
    shallow.feed("[[[");
    EXPECT_TRUE(shallow.failed());
}

TEST(JsonRepair, ByteByByteEqualsWholeOnTheCorpus)
{
    std::size_t starts = 0;
    for (auto const& e : corpus()) {
        std::string_view text = e.text;
        for (std::size_t at = 0; at < text.size(); ++at) {
            if (at != 0 && text[at] != '{' && text[at] != '[')
                continue;
            auto rest = text.substr(at);
            auto whole = repair(rest);
            EXPECT_EQ(repair(rest, 1), whole) << e.name << " from byte " << at;
            EXPECT_EQ(repair(rest, 3), whole) << e.name << " from byte " << at;
            ++starts;
        }
    }
    EXPECT_GT(starts, corpus().size());
}

// ---- candidates in a reply ---------------------------------------------------------------------

TEST(RepairCandidates, FencedValueAndProse)
{
    std::string_view text = "Here you go:\n```json\n{'a': 1,}\n```\nAnything else?";
    auto o = repair_candidates(text);
    ASSERT_EQ(o.candidates.size(), 1u);
    EXPECT_FALSE(o.truncated);
    EXPECT_EQ(o.candidates[0].json, R"({"a": 1})");
    EXPECT_EQ(o.candidates[0].repairs,
              (std::vector<ins::json_repair>{{repair_kind::surrounding_text, 0},
                                             {repair_kind::code_fence, 13},
                                             {repair_kind::single_quotes, 22},
                                             {repair_kind::trailing_comma, 28}}));

    auto fence_only = repair_candidates("```\n[1, 2]\n```\n");
    ASSERT_EQ(fence_only.candidates.size(), 1u);
    EXPECT_EQ(kinds_of(fence_only.candidates[0].repairs),
              std::vector<repair_kind>{repair_kind::code_fence});

    auto prose_after = repair_candidates(R"({"a": 1} is the answer)");
    ASSERT_EQ(prose_after.candidates.size(), 1u);
    EXPECT_EQ(prose_after.candidates[0].repairs,
              (std::vector<ins::json_repair>{{repair_kind::surrounding_text, 9}}));

    auto plain = repair_candidates("  {\"a\": 1}\n");
    ASSERT_EQ(plain.candidates.size(), 1u);
    EXPECT_TRUE(plain.candidates[0].repairs.empty());
}

TEST(RepairCandidates, InTextOrderWithoutRepeats)
{
    auto o = repair_candidates(R"(A {"x": 1}, B {'x': 2}, again {"x":1} and [3])");
    ASSERT_EQ(o.candidates.size(), 3u);
    EXPECT_EQ(o.candidates[0].json, R"({"x": 1})");
    EXPECT_EQ(o.candidates[1].json, R"({"x": 2})");
    EXPECT_EQ(o.candidates[2].json, "[3]");
    EXPECT_EQ(repair_candidates("[1] [2] [3] [4]", 2).candidates.size(), 2u);
}

TEST(RepairCandidates, NeverFromInsideAnotherValue)
{
    // The inner object is part of the outer one, repaired or not, whole or cut off.
    EXPECT_EQ(repair_candidates(R"({"a": {"b": 1}})").candidates.size(), 1u);
    EXPECT_TRUE(repair_candidates(R"({"a": {"b": 1}, "c": 1 2})").candidates.empty());
    auto cut = repair_candidates(R"({"a": {"b": 1}, "c": )");
    EXPECT_TRUE(cut.truncated);
    EXPECT_TRUE(cut.candidates.empty());
    // a fragment of a broken value is not an answer
    EXPECT_TRUE(repair_candidates(R"({"a": 1}, "b": 2})").candidates.empty());
    EXPECT_TRUE(repair_candidates(R"({"a": 1}} and more)").candidates.empty());
    EXPECT_TRUE(repair_candidates(R"({"a": 1}}, "b": 2})").candidates.empty());
}

TEST(RepairCandidates, StrayClosersAfterTheValueAreDropped)
{
    auto o = repair_candidates("{\"a\": 1}}");
    ASSERT_EQ(o.candidates.size(), 1u);
    EXPECT_EQ(o.candidates[0].json, R"({"a": 1})");
    EXPECT_EQ(o.candidates[0].repairs,
              (std::vector<ins::json_repair>{{repair_kind::stray_closer, 8}}));

    auto fenced = repair_candidates("Here:\n```json\n[1]\n ] }\n```\nDone.");
    ASSERT_EQ(fenced.candidates.size(), 1u);
    EXPECT_EQ(fenced.candidates[0].json, "[1]");
    EXPECT_EQ(fenced.candidates[0].repairs,
              (std::vector<ins::json_repair>{{repair_kind::surrounding_text, 0},
                                             {repair_kind::code_fence, 6},
                                             {repair_kind::stray_closer, 19}}));

    // only after the first bracket of the text: one before it may be what they close
    auto after = repair_candidates("Step [1], then {\"a\": 1}}");
    ASSERT_EQ(after.candidates.size(), 1u);
    EXPECT_EQ(after.candidates[0].json, "[1]");
}

struct Aged {
    int age;
};
BOOST_DESCRIBE_STRUCT(Aged, (), (age))

TEST(RepairCandidates, NeverFromInsideABrokenValue)
{
    // The outer value breaks at `thirty`; a brace in a single-quoted string ended the scan of
    // its extent early, and `, key:` after the inner value was not seen as the outer's next
    // member, so the nested {'age': 5} became the answer.
    for (std::string_view text :
         {"{'bio': 'likes :-}', 'age': 3 0, 'child': {'age': 5}}",
          "{'bio': 'likes :-}', 'age': 3 0, 'child': {'age': 5}, note: 'twins'}",
          "{'bio': 'likes :-}', 'age': 3 0, 'child': {'age': 5}",
          "{'bio': 'likes', 'age': 3 0, 'child': {'age': 5}, note: 'twins'}"}) {
        EXPECT_TRUE(repair_candidates(text).candidates.empty()) << text;
        auto r = ins::decode<Aged>(text);
        EXPECT_FALSE(r) << text << " decoded age " << r.value->age;
        EXPECT_FALSE(r.issues.empty());
    }
    EXPECT_EQ(ins::detail::bracket_extent("{'a': '}]', \"b\": \"}\"} x"), 21u);
    // an apostrophe in a word opens no string: the answer after it is still found
    EXPECT_EQ(ins::detail::bracket_extent("{a: it's} x"), 9u);
    auto r = ins::decode<Aged>("Not {age: it's 5} but: {\"age\": 7}");
    ASSERT_TRUE(r) << ins::format_issues(r.issues);
    EXPECT_EQ(r.value->age, 7);
}

TEST(RepairCandidates, GoesOnAfterWhatIsNotJson)
{
    auto o = repair_candidates(R"(Use {name} or [the docs](x): {"name": "J"})");
    ASSERT_EQ(o.candidates.size(), 1u);
    EXPECT_EQ(o.candidates[0].json, R"({"name": "J"})");
    // `#` right after a bracket is prose, not a comment running on over the answer
    auto refs = repair_candidates(R"(Fixes [#12] and [#13]: {"name": "J"})");
    EXPECT_FALSE(refs.truncated);
    ASSERT_EQ(refs.candidates.size(), 1u);
    EXPECT_EQ(refs.candidates[0].json, R"({"name": "J"})");
}

TEST(RepairCandidates, TruncatedLastValue)
{
    auto o = repair_candidates(R"(Example {"a": 1}. Answer: {"a": 2, "b)");
    EXPECT_TRUE(o.truncated);
    ASSERT_EQ(o.candidates.size(), 1u);  // the complete one; decode<T> still refuses
    EXPECT_TRUE(repair_candidates("```json\n{\"a\": [1,\n").truncated);
    EXPECT_FALSE(repair_candidates("no JSON here").truncated);
}

TEST(RepairCandidates, LinearOnHostileText)
{
    // Many openers that never make a value: each byte is looked at a bounded number of times.
    std::string text(200000, '{');
    EXPECT_TRUE(repair_candidates(text).candidates.empty());
    std::string prose;
    for (int i = 0; i < 20000; ++i)
        prose += "{x} [y] ``` ";
    EXPECT_TRUE(repair_candidates(prose).candidates.empty());
}

// ---- decode<T> with repair ---------------------------------------------------------------------

TEST(DecodeRepair, ValidJsonNeedsNoRepair)
{
    auto r = ins::decode<User>(R"({"name": "Jason", "age": 25})");
    ASSERT_TRUE(r);
    EXPECT_TRUE(r.repairs.empty());
    EXPECT_TRUE(r.issues.empty());
}

TEST(DecodeRepair, RepairsSayWhatWasFixed)
{
    std::string_view text = "Sure:\n```python\n{'title': 'Write notes', 'done': True, "
                            "'assignee': None,}\n```";
    auto r = ins::decode<Task>(text);
    ASSERT_TRUE(r) << ins::format_issues(r.issues);
    EXPECT_EQ(r.value->title, "Write notes");
    EXPECT_TRUE(r.value->done);
    EXPECT_FALSE(r.value->assignee);
    EXPECT_EQ(r.repairs, (std::vector<ins::json_repair>{{repair_kind::surrounding_text, 0},
                                                         {repair_kind::code_fence, 6},
                                                         {repair_kind::single_quotes, 17},
                                                         {repair_kind::single_quotes, 26},
                                                         {repair_kind::single_quotes, 41},
                                                         {repair_kind::python_literal, 49},
                                                         {repair_kind::single_quotes, 55},
                                                         {repair_kind::python_literal, 67},
                                                         {repair_kind::trailing_comma, 71}}));
    EXPECT_EQ(ins::describe(r.repairs.back()), "trailing comma dropped at byte 71");
    EXPECT_EQ(ins::to_string(repair_kind::python_literal), "python_literal");
}

TEST(DecodeRepair, RepairsListedAreBoundedNotTheFixes)
{
    // A fix per byte: 4 MiB of raw tabs in a string made a record each (and each candidate a
    // copy of them all).
    std::string const tabs(4 * 1024 * 1024, '\t');
    auto const text = "Here: {\"name\": \"" + tabs + "\", 'age': 3}";
    auto r = ins::decode<User>(text);
    ASSERT_TRUE(r) << ins::format_issues(r.issues);
    EXPECT_EQ(r.value->name, tabs);
    ASSERT_EQ(r.repairs.size(), ins::max_repairs_listed);
    EXPECT_EQ(r.repairs[0].kind, repair_kind::surrounding_text);
    EXPECT_EQ(r.repairs[1].kind, repair_kind::control_character);
    EXPECT_EQ(r.repairs[1].offset, 16u);
    EXPECT_EQ(r.repairs.back().offset, 16u + ins::max_repairs_listed - 2);

    json_repairer whole;
    EXPECT_FALSE((whole.feed(std::string_view(text).substr(6)) + whole.finish()).empty());
    EXPECT_TRUE(whole.done());
    EXPECT_EQ(whole.repairs().size(), ins::max_repairs_listed);

    // streamed: the list of a stream's value is bounded the same way
    ins::decoder<User> d;
    std::optional<ins::detail::stream_repair> sr(std::in_place);
    std::vector<ins::json_repair> listed;
    for (std::size_t i = 6; i < text.size(); i += 64 * 1024)
        ins::detail::write_through(sr, d, std::string_view(text).substr(i, 64 * 1024));
    ins::detail::finish_through(sr, d, listed);
    EXPECT_EQ(listed.size(), ins::max_repairs_listed);
}

TEST(DecodeRepair, TheSchemaDecidesWhatABareValueIs)
{
    auto r = ins::decode<User>(R"({"name": John Doe, "age": 30})");
    ASSERT_TRUE(r) << ins::format_issues(r.issues);
    EXPECT_EQ(r.value->name, "John Doe");
    EXPECT_EQ(r.repairs, (std::vector<ins::json_repair>{{repair_kind::unquoted_value, 9}}));
    EXPECT_EQ(ins::describe(r.repairs[0]), "unquoted value quoted as a string at byte 9");

    auto t = ins::decode<Ticket>("{title: Fix it, priority: high, tags: [ops] estimate_hours: 2}");
    ASSERT_TRUE(t) << ins::format_issues(t.issues);
    EXPECT_EQ(t.value->priority, repair_corpus::Priority::high);
    EXPECT_TRUE(std::any_of(t.repairs.begin(), t.repairs.end(), [](auto const& x) {
        return x.kind == repair_kind::missing_comma && x.offset == 44;
    }));

    // a number in words is a string, and an integer does not take one: never invented
    auto words = ins::decode<User>(R"({"name": "Jason", "age": thirty})");
    EXPECT_FALSE(words);
    ASSERT_FALSE(words.issues.empty());
    EXPECT_EQ(words.issues[0].path, "age");
    EXPECT_NE(words.issues[0].kind, ins::issue_kind::syntax);
    // an enum takes only its names
    EXPECT_FALSE(ins::decode<Ticket>("{title: Fix it, priority: urgent, tags: [ops]}"));
    // a boolean is not a word
    EXPECT_FALSE(ins::decode<Task>(R"({"title": "x", "done": yes, "assignee": null})"));

    for (auto kind : {repair_kind::unquoted_value, repair_kind::missing_comma,
                      repair_kind::stray_closer})
        EXPECT_NE(ins::describe({kind, 0}).find("at byte 0"), std::string::npos);
    EXPECT_EQ(ins::to_string(repair_kind::unquoted_value), "unquoted_value");
    EXPECT_EQ(ins::to_string(repair_kind::missing_comma), "missing_comma");
    EXPECT_EQ(ins::to_string(repair_kind::stray_closer), "stray_closer");
    EXPECT_EQ(ins::describe({repair_kind::stray_closer, 3}),
              "stray closing bracket after the value dropped at byte 3");
}

TEST(DecodeRepair, OffByOption)
{
    std::string_view text = R"({"name": "Jason", "age": 25,})";
    EXPECT_TRUE(ins::decode<User>(text));
    for (auto const& opts : {ins::strict_decoding, ins::decode_options{.repair = false}}) {
        auto r = ins::decode<User>(text, opts);
        EXPECT_FALSE(r);
        ASSERT_EQ(r.issues.size(), 1u);
        EXPECT_EQ(r.issues[0].kind, ins::issue_kind::syntax);
        EXPECT_TRUE(r.repairs.empty());
    }
}

TEST(DecodeRepair, PicksTheOneCandidateThatFits)
{
    auto r = ins::decode<User>(
        R"(The schema is {"name": "string", "age": "integer"}; so: {"name": "Jason", "age": 25})");
    ASSERT_TRUE(r) << ins::format_issues(r.issues);
    EXPECT_EQ(r.value->name, "Jason");
    EXPECT_EQ(r.value->age, 25);
}

TEST(DecodeRepair, SeveralDifferentFitsAreAnIssue)
{
    auto r = ins::decode<User>(R"(Either {"name": "A", "age": 1} or {"name": "B", "age": 2})");
    EXPECT_FALSE(r);
    ASSERT_EQ(r.issues.size(), 1u);
    EXPECT_EQ(r.issues[0].kind, ins::issue_kind::syntax);
    EXPECT_EQ(r.issues[0].path, "");
    EXPECT_NE(r.issues[0].message.find("2 different JSON values"), std::string::npos);
    EXPECT_TRUE(r.repairs.empty());

    // the same value twice is one answer
    auto same = ins::decode<User>("{'name': 'A', 'age': 1}\n```json\n{\"age\": 1, \"name\": \"A\"}\n```");
    ASSERT_TRUE(same);
    EXPECT_EQ(same.value->name, "A");
}

TEST(DecodeRepair, NoFitGivesTheFirstCandidatesIssues)
{
    auto r = ins::decode<User>(R"(Result: {'name': 'Jason'} and {'age': 3})");
    EXPECT_FALSE(r);
    ASSERT_EQ(r.issues.size(), 1u);
    EXPECT_EQ(r.issues[0].kind, ins::issue_kind::missing);
    EXPECT_EQ(r.issues[0].path, "age");

    auto none = ins::decode<User>("I cannot answer that.");
    ASSERT_EQ(none.issues.size(), 1u);
    EXPECT_EQ(none.issues[0].kind, ins::issue_kind::syntax);
}

TEST(DecodeRepair, CutOffTextNeverBecomesAValue)
{
    // an earlier complete example fits, but the answer after it was cut off
    auto r = ins::decode<User>(R"(e.g. {"name": "Ada", "age": 36}; yours: {"name": "Jason", "age)");
    EXPECT_FALSE(r);
    ASSERT_EQ(r.issues.size(), 1u);
    EXPECT_EQ(r.issues[0].kind, ins::issue_kind::syntax);
    EXPECT_FALSE(ins::decode<User>(R"({"name": "Jason", "age": 25)"));
    EXPECT_FALSE(ins::decode<User>("```json\n{\"name\": \"Jason\",\n"));
}

TEST(DecodeRepair, OnlySyntaxFailuresAreRepaired)
{
    auto r = ins::decode<User>(R"({"name": "Jason", "age": "old"})");
    EXPECT_FALSE(r);
    ASSERT_EQ(r.issues.size(), 1u);
    EXPECT_EQ(r.issues[0].kind, ins::issue_kind::type);
    EXPECT_TRUE(r.repairs.empty());
}

TEST(DecodeRepair, FromJsonRepairsToo)
{
    auto t = ins::from_json<Ticket>(
        "{title: 'Printer on fire', priority: 'high', tags: ['hw',], /* est */ estimate_hours: None}");
    EXPECT_EQ(t.title, "Printer on fire");
    EXPECT_EQ(t.priority, repair_corpus::Priority::high);
    EXPECT_FALSE(t.estimate_hours);
    EXPECT_THROW(ins::from_json<Ticket>("{title: 'Printer on fire', priority: "), ins::error);
}

// ---- the corpus --------------------------------------------------------------------------------

TEST(RepairCorpus, EveryReplyDecodesToItsValueOrNotAtAll)
{
    auto const& c = corpus();
    ASSERT_GE(c.size(), 200u);
    std::size_t due = 0, right = 0, refused_ok = 0;
    for (auto const& e : c) {
        auto fns = repair_corpus::model_named(e.model);
        auto got = fns.decode(e.text, {});
        if (e.expect.is_null()) {
            EXPECT_FALSE(got.json) << e.name << " decoded to " << *got.json;
            refused_ok += !got.json;
            continue;
        }
        ++due;
        ASSERT_TRUE(got.json) << e.name << ": " << ins::format_issues(got.issues);
        EXPECT_EQ(*got.json, fns.canonical(e.expect)) << e.name;
        right += *got.json == fns.canonical(e.expect);
        std::set<std::string> kinds;
        for (auto const& r : got.repairs)
            kinds.emplace(ins::to_string(r.kind));
        EXPECT_EQ(std::vector<std::string>(kinds.begin(), kinds.end()), e.kinds) << e.name;
    }
    auto const off = repair_corpus::run(c, {.repair = false});
    std::printf("repair corpus: %zu replies; with repair %zu/%zu decode to their value (%.1f%%), "
                "%zu/%zu refused as due; without repair %zu decode\n",
                c.size(), right, due, 100.0 * double(right) / double(due), refused_ok,
                c.size() - due, off.right + off.wrong);
    EXPECT_EQ(off.wrong, 0u);
}

}  // namespace

}  // namespace json_repair_test
