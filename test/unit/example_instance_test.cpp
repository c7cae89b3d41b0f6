// The mock endpoint's answer generator: instances of our schemas, filled from the prompt.
#include "models.hpp"

#include <instructor/testing/example_instance.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace example_instance_test {

using namespace models;
namespace json = boost::json;
using ins::testing::example_instance;

// The typed fixture outside the anonymous namespace: its tests' classes derive from it.
template <class T>
class ExampleInstanceModels : public ::testing::Test {};

namespace {

json::object schema(std::string_view text) { return json::parse(text).as_object(); }

// Models whose instances must decode with no issue at all; Constrained has its own test.
using all_models =
    ::testing::Types<UserInfo, Address, Person, Ticket, TreeNode, Household, Anything, Defaults,
                     Derived, Signup, Team, IntegerWidths, Directory, Profile>;
TYPED_TEST_SUITE(ExampleInstanceModels, all_models);

// A prompt that feeds every rule at once: a name, an e-mail, an enum value, numbers.
constexpr std::string_view busy_prompt =
    "John Doe (john.doe@example.org) is 32 years old; a high priority, ratio 0.5, code ABC-12.";

template <class T>
void expect_decodes(json::object const& s, std::string_view prompt)
{
    json::value v = example_instance(s, prompt);
    auto r = ins::decode_value<T>(v, ins::strict_decoding);
    EXPECT_TRUE(r) << json::serialize(v) << "\n" << ins::format_issues(r.issues);
}

}  // namespace

TYPED_TEST(ExampleInstanceModels, PlainSchemaInstanceDecodes)
{
    expect_decodes<TypeParam>(ins::json_schema<TypeParam>(), {});
}

TYPED_TEST(ExampleInstanceModels, StrictSchemaInstanceDecodes)
{
    expect_decodes<TypeParam>(ins::strict_json_schema<TypeParam>(), {});
}

TYPED_TEST(ExampleInstanceModels, InstanceFromBusyPromptDecodes)
{
    expect_decodes<TypeParam>(ins::json_schema<TypeParam>(), busy_prompt);
    expect_decodes<TypeParam>(ins::strict_json_schema<TypeParam>(), busy_prompt);
}

TYPED_TEST(ExampleInstanceModels, Deterministic)
{
    auto const& s = ins::json_schema<TypeParam>();
    EXPECT_EQ(example_instance(s, busy_prompt), example_instance(s, busy_prompt));
    EXPECT_EQ(example_instance(s), example_instance(s));
}

// Patterns are not synthesized: Constrained's `code` ("^[A-Z]{3}-[0-9]+$") gets "example", and
// that is the only issue.
TEST(ExampleInstance, ConstrainedFailsOnlyOnItsPattern)
{
    for (auto const* s :
         {&ins::json_schema<Constrained>(), &ins::strict_json_schema<Constrained>()}) {
        json::value v = example_instance(*s);
        EXPECT_EQ(v, json::parse(R"({"ratio":1.0,"count":0,"code":"example","level":0,)"
                                 R"("weight":0.0})"));
        auto r = ins::decode_value<Constrained>(v, ins::strict_decoding);
        ASSERT_EQ(r.issues.size(), 1u) << ins::format_issues(r.issues);
        EXPECT_EQ(r.issues[0].path, "code");
        EXPECT_EQ(r.issues[0].kind, ins::issue_kind::constraint);
    }
}

TEST(ExampleInstance, SeedPrompt)
{
    EXPECT_EQ(example_instance(ins::json_schema<UserInfo>(), "John Doe is 32 years old."),
              json::parse(R"({"name":"John Doe","age":32})"));
    EXPECT_EQ(example_instance(ins::strict_json_schema<UserInfo>(), "John Doe is 32 years old."),
              json::parse(R"({"name":"John Doe","age":32})"));
}

TEST(ExampleInstance, FallbacksWithoutPrompt)
{
    EXPECT_EQ(example_instance(ins::json_schema<UserInfo>()),
              json::parse(R"({"name":"Jane Doe","age":0})"));
    EXPECT_EQ(example_instance(ins::json_schema<Signup>()),
              json::parse(R"({"email":"jane@example.com","password":"example",)"
                          R"("confirm":"example"})"));
    // lone capitalized words are not a name; a run of more than three gives its first three
    EXPECT_EQ(example_instance(ins::json_schema<UserInfo>(), "Hello. This is Bob.").at("name"),
              "Jane Doe");
    EXPECT_EQ(example_instance(ins::json_schema<UserInfo>(), "by Mary Ann Lee Smith").at("name"),
              "Mary Ann Lee");
}

TEST(ExampleInstance, NestedOptionalsAndMapsAreFilled)
{
    EXPECT_EQ(example_instance(ins::json_schema<Person>(), "Ann Lee, 40"),
              json::parse(R"({"name":"Ann Lee","age":40,"addresses":[)"
                          R"({"street":"example","city":"example","country":"example"}]})"));
    EXPECT_EQ(example_instance(ins::json_schema<Household>()),
              json::parse(R"({"pets":[{"name":"Jane Doe","indoor":true}],"rooms":{"key":0}})"));
    EXPECT_EQ(example_instance(ins::json_schema<Anything>()),
              json::parse(R"({"kind":"example","payload":{},"flag":true})"));
    EXPECT_EQ(example_instance(ins::json_schema<Profile>()),
              json::parse(R"({"handle":"example","priority":"low",)"
                          R"("home":{"street":"example","city":"example","country":"example"},)"
                          R"("external_id":0,"scores":[0.0]})"));
}

TEST(ExampleInstance, EnumValueNamedInThePrompt)
{
    auto const& s = ins::json_schema<Ticket>();
    EXPECT_EQ(example_instance(s, "This is a high priority issue").at("priority"), "high");
    EXPECT_EQ(example_instance(s, "MEDIUM, maybe").at("priority"), "medium");
    // whole words only, and the earliest one wins
    EXPECT_EQ(example_instance(s, "the highway is slow").at("priority"), "low");
    EXPECT_EQ(example_instance(s, "not high but medium").at("priority"), "high");
    EXPECT_EQ(example_instance(s).at("priority"), "low");
}

TEST(ExampleInstance, EmailFromThePrompt)
{
    auto v = example_instance(ins::json_schema<Signup>(),
                              "Please sign up bob.smith+news@mail.example.org.");
    EXPECT_EQ(v.at("email"), "bob.smith+news@mail.example.org");
    EXPECT_TRUE(ins::decode_value<Signup>(v, ins::strict_decoding));
    // an '@' without a domain is no address
    EXPECT_EQ(example_instance(ins::json_schema<Signup>(), "ping @bob").at("email"),
              "jane@example.com");
    auto list = schema(R"({"type":"object","properties":{)"
                       R"("work_emails":{"type":"array","items":{"type":"string"}}}})");
    EXPECT_EQ(example_instance(list, "write to ops@corp.io").at("work_emails"),
              json::parse(R"(["ops@corp.io"])"));
}

TEST(ExampleInstance, NameLikeProperties)
{
    auto s = schema(R"({"type":"object","properties":{"full_name":{"type":"string"},)"
                    R"("last_name":{"type":"string"},"Name":{"type":"string"},)"
                    R"("username":{"type":"string"}}})");
    EXPECT_EQ(example_instance(s, "Ada Lovelace wrote it"),
              json::parse(R"({"full_name":"Ada Lovelace","last_name":"Ada Lovelace",)"
                          R"("Name":"Ada Lovelace","username":"example"})"));
}

TEST(ExampleInstance, PromptNumbersOutsideTheBoundsAreSkipped)
{
    auto const& s = ins::json_schema<Constrained>();
    // count: [-5, 100); level: [0, 255]; ratio: (0, 1]
    auto v = example_instance(s, "count 1000, level 300");
    EXPECT_EQ(v.at("count"), 0);
    EXPECT_EQ(v.at("level"), 0);
    v = example_instance(s, "1000 then 300 then -3 and 7");
    EXPECT_EQ(v.at("count"), -3);
    EXPECT_EQ(v.at("level"), 7);
    EXPECT_EQ(v.at("ratio").as_double(), 1.0);
    v = example_instance(s, "ratio 0.25 of 40");
    EXPECT_EQ(v.at("ratio").as_double(), 0.25);
    EXPECT_EQ(v.at("count"), 40);  // a decimal is no integer
    EXPECT_EQ(v.at("weight").as_double(), 0.25);
    // digits inside words, and fractions, are not integers
    EXPECT_EQ(example_instance(ins::json_schema<UserInfo>(), "v2 at 3.5 and x9").at("age"), 0);
    EXPECT_EQ(example_instance(ins::json_schema<Ticket>(), "5000 hours").at("estimate_hours"), 0);
}

TEST(ExampleInstance, SmallestValidNumberWithinTheBounds)
{
    auto value = [](std::string_view s) { return example_instance(schema(s)); };
    EXPECT_EQ(value(R"({"type":"integer"})"), 0);
    EXPECT_EQ(value(R"({"type":"integer","minimum":12})"), 12);
    EXPECT_EQ(value(R"({"type":"integer","exclusiveMinimum":7})"), 8);
    EXPECT_EQ(value(R"({"type":"integer","exclusiveMinimum":7.5})"), 8);
    EXPECT_EQ(value(R"({"type":"integer","maximum":-10})"), -10);
    EXPECT_EQ(value(R"({"type":"integer","exclusiveMaximum":-10})"), -11);
    EXPECT_EQ(value(R"({"type":"integer","minimum":18446744073709551615})"),
              std::numeric_limits<std::int64_t>::max());
    EXPECT_TRUE(value(R"({"type":"integer"})").is_int64());
    EXPECT_EQ(value(R"({"type":"number","minimum":2.5})").as_double(), 2.5);
    EXPECT_EQ(value(R"({"type":"number","exclusiveMinimum":0,"exclusiveMaximum":0.5})").as_double(),
              0.25);
    EXPECT_EQ(value(R"({"type":"number","exclusiveMaximum":-1})").as_double(), -2.0);
    EXPECT_TRUE(value(R"({"type":"number"})").is_double());
}

TEST(ExampleInstance, StringLengthsInCodePoints)
{
    EXPECT_EQ(example_instance(schema(R"({"type":"string","minLength":10})")), "examplexxx");
    EXPECT_EQ(example_instance(schema(R"({"type":"string","maxLength":3})")), "exa");
    auto s = schema(R"({"type":"object","properties":{"email":{"type":"string","maxLength":2},)"
                    R"("contact_email":{"type":"string","minLength":19}}})");
    // 18 code points in 19 bytes: one x
    auto v = example_instance(s, "mail \xC3\xA9lodie@example.com");
    EXPECT_EQ(v.at("email"), "\xC3\xA9l");
    EXPECT_EQ(v.at("contact_email"), "\xC3\xA9lodie@example.comx");
}

TEST(ExampleInstance, PatternsAreCheckedNotSynthesized)
{
    auto s = schema(R"({"type":"object","properties":{)"
                    R"("name":{"type":"string","pattern":"^[a-z]+$"},)"
                    R"("code":{"type":"string","pattern":"^[A-Z]{3}$"},)"
                    R"("odd":{"type":"string","pattern":"(unclosed"}}})");
    // the prompt's name does not match, "Jane Doe" neither, "example" does
    EXPECT_EQ(example_instance(s, "John Doe"),
              json::parse(R"({"name":"example","code":"example","odd":"example"})"));
}

TEST(ExampleInstance, ArraysRespectItemCounts)
{
    EXPECT_EQ(
        example_instance(schema(R"({"type":"array","items":{"type":"boolean"},"minItems":3})")),
        json::parse("[true,true,true]"));
    EXPECT_EQ(example_instance(schema(R"({"type":"array","items":{"type":"null"},"maxItems":0})")),
              json::parse("[]"));
    EXPECT_EQ(example_instance(schema(R"({"type":"array"})")), json::parse("[{}]"));
}

TEST(ExampleInstance, TypeListsPreferTheNonNullType)
{
    EXPECT_EQ(example_instance(schema(R"({"type":["null","boolean"]})")), true);
    EXPECT_EQ(example_instance(schema(R"({"type":["null"]})")), nullptr);
}

TEST(ExampleInstance, RecursionTerminatesForTreeNode)
{
    auto const expected = json::parse(
        R"({"label":"example","children":[{"label":"example","children":[]}]})");
    EXPECT_EQ(example_instance(ins::json_schema<TreeNode>()), expected);
    EXPECT_EQ(example_instance(ins::strict_json_schema<TreeNode>()), expected);
}

TEST(ExampleInstance, RecursionThroughDefsEndsWithNull)
{
    auto s = schema(R"({"$ref":"#/$defs/Node","$defs":{"Node":{"type":"object","properties":{)"
                    R"("next":{"anyOf":[{"$ref":"#/$defs/Node"},{"type":"null"}]},)"
                    R"("index":{"type":"object","additionalProperties":{"$ref":"#/$defs/Node"}}},)"
                    R"("required":["next","index"]}}})");
    EXPECT_EQ(example_instance(s),
              json::parse(R"({"next":{"next":null,"index":{}},)"
                          R"("index":{"key":{"next":null,"index":{}}}})"));
}

TEST(ExampleInstance, SchemasWithoutFiniteInstancesStillReturn)
{
    // every node needs a child, and two references that only point at each other
    example_instance(schema(R"({"type":"object","properties":{"kids":{"type":"array",)"
                            R"("items":{"$ref":"#"},"minItems":1}}})"));
    EXPECT_EQ(example_instance(schema(R"({"$defs":{"A":{"$ref":"#/$defs/B"},)"
                                      R"("B":{"$ref":"#/$defs/A"}},"$ref":"#/$defs/A"})")),
              nullptr);
    EXPECT_EQ(example_instance(schema(R"({"$ref":"#/$defs/Missing"})")), json::object());
    EXPECT_EQ(example_instance(schema(R"({"type":"array","minItems":1e12})")).as_array().size(),
              10000u);
}

}  // namespace example_instance_test
