// JSON Schema generation: shapes, $defs, recursion, annotations, strict mode, caching.
#include "models.hpp"

#include <gtest/gtest.h>

namespace schema_test {


using namespace models;
namespace json = boost::json;

namespace {

template <class V>
std::string dump(V const& v)
{
    return json::serialize(v);
}

}  // namespace

TEST(Schema, SeedUserInfo)
{
    EXPECT_EQ(dump(ins::json_schema<UserInfo>()),
              R"({"type":"object","title":"UserInfo","properties":{"name":{"type":"string"},)"
              R"("age":{"type":"integer","minimum":-2147483648,"maximum":2147483647}},)"
              R"("required":["name","age"]})");
}

TEST(Schema, NestedModelsGoToDefs)
{
    auto const& s = ins::json_schema<Person>();
    EXPECT_EQ(dump(s.at("properties").as_object()),
              R"({"name":{"type":"string"},"age":{"type":"integer","minimum":-2147483648,)"
              R"("maximum":2147483647},"addresses":{"type":"array","items":{"$ref":"#/$defs/Address"}}})");
    EXPECT_EQ(dump(s.at("$defs").at("Address").as_object()),
              R"({"type":"object","title":"Address","properties":{"street":{"type":"string"},)"
              R"("city":{"type":"string"},"country":{"anyOf":[{"type":"string"},{"type":"null"}]}},)"
              R"("required":["street","city"]})");
}

TEST(Schema, RecursiveModelRefersToTheRoot)
{
    EXPECT_EQ(dump(ins::json_schema<TreeNode>()),
              R"({"type":"object","title":"TreeNode","properties":{"label":{"type":"string"},)"
              R"("children":{"type":"array","items":{"$ref":"#"}}},"required":["label","children"]})");
}

TEST(Schema, EnumsDescriptionsAndConstraints)
{
    EXPECT_EQ(dump(ins::json_schema<Ticket>()),
              R"({"type":"object","title":"Ticket","description":"A support ticket","properties":{)"
              R"("title":{"type":"string","minLength":3,"maxLength":80,"description":"One line"},)"
              R"("priority":{"type":"string","enum":["low","medium","high"]},)"
              R"("tags":{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":5},)"
              R"("estimate_hours":{"anyOf":[{"type":"integer","minimum":0,"maximum":2147483647,)"
              R"("exclusiveMaximum":1000},{"type":"null"}]}},"required":["title","priority","tags"]})");
    auto const& c = ins::json_schema<Constrained>().at("properties").as_object();
    EXPECT_EQ(dump(c.at("ratio").as_object()), R"({"type":"number","maximum":1,"exclusiveMinimum":0})");
    EXPECT_EQ(dump(c.at("count").as_object()),
              R"({"type":"integer","minimum":-5,"exclusiveMaximum":100})");
    EXPECT_EQ(dump(c.at("code").as_object()), R"({"type":"string","pattern":"^[A-Z]{3}-[0-9]+$"})");
    EXPECT_EQ(dump(c.at("level").as_object()), R"({"type":"integer","minimum":0,"maximum":255})");
    EXPECT_EQ(dump(c.at("weight").as_object()),
              R"({"type":"number","minimum":-3.4028234663852886E38,"maximum":3.4028234663852886E38})");
}

TEST(Schema, VariantsMapsAnyAndDefaults)
{
    auto const& h = ins::json_schema<Household>();
    EXPECT_EQ(dump(h.at("properties").as_object()),
              R"({"pets":{"type":"array","items":{"anyOf":[{"$ref":"#/$defs/Cat"},{"$ref":"#/$defs/Dog"}]}},)"
              R"("rooms":{"type":"object","additionalProperties":{"type":"integer",)"
              R"("minimum":-2147483648,"maximum":2147483647}}})");
    EXPECT_TRUE(h.at("$defs").as_object().contains("Cat"));
    EXPECT_EQ(dump(ins::json_schema<Anything>().at("properties").as_object()),
              R"({"kind":{"type":"string"},"payload":{},"flag":{"anyOf":[{"type":"boolean"},{"type":"null"}]}})");
    auto const& d = ins::json_schema<Defaults>();
    EXPECT_EQ(d.at("title"), "DefaultsModel");
    EXPECT_EQ(dump(d.at("required").as_array()), R"(["name"])");
}

TEST(Schema, InheritedMembersComeFirst)
{
    EXPECT_EQ(dump(ins::json_schema<Derived>().at("required").as_array()), R"(["id","values"])");
}

TEST(Schema, StrictModeRules)
{
    auto const& s = ins::strict_json_schema<Ticket>();
    EXPECT_EQ(dump(s.at("required").as_array()),
              R"(["title","priority","tags","estimate_hours"])");
    EXPECT_EQ(s.at("additionalProperties"), false);
    auto const& title = s.at("properties").at("title").as_object();
    EXPECT_FALSE(title.contains("minLength"));  // unsupported by OpenAI strict mode
    EXPECT_FALSE(title.contains("maxLength"));
    EXPECT_EQ(title.at("description"), "One line");
    auto const& p = ins::strict_json_schema<Person>();
    EXPECT_EQ(p.at("$defs").at("Address").at("additionalProperties"), false);
    EXPECT_EQ(dump(p.at("$defs").at("Address").at("required").as_array()),
              R"(["street","city","country"])");
    // the plain schema is untouched
    EXPECT_FALSE(ins::json_schema<Ticket>().contains("additionalProperties"));
}

namespace one {
struct Item {
    int a;
};
BOOST_DESCRIBE_STRUCT(Item, (), (a))
}  // namespace one
namespace two {
struct Item {
    std::string b;
};
BOOST_DESCRIBE_STRUCT(Item, (), (b))
template <class T>
struct Box {
    T inner;
};
}  // namespace two
struct Both {
    one::Item first;
    two::Item second;
};
BOOST_DESCRIBE_STRUCT(Both, (), (first, second))

TEST(Schema, SameUnqualifiedNameGetsAUniqueDef)
{
    auto const& s = ins::json_schema<Both>();
    EXPECT_EQ(s.at("properties").at("first").at("$ref"), "#/$defs/Item");
    EXPECT_EQ(s.at("properties").at("second").at("$ref"), "#/$defs/Item_2");
}

TEST(Schema, WireNames)
{
    EXPECT_EQ(ins::detail::wire_name("models::UserInfo"), "UserInfo");
    EXPECT_EQ(ins::detail::wire_name("two::Box<one::Item>"), "Box_one_Item");
    EXPECT_EQ(ins::detail::wire_name("std::map<std::string, int>"), "map_std_string_int");
}

}  // namespace schema_test
