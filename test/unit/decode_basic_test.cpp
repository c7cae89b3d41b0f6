// Decoding valid documents into every supported member type.
#include "models.hpp"

#include <gtest/gtest.h>

namespace decode_basic_test {

using namespace models;

TEST(DecodeBasic, SeedUserInfo)
{
    auto u = ins::from_json<UserInfo>(R"({"name": "John Doe", "age": 32})");
    EXPECT_EQ(u.name, "John Doe");
    EXPECT_EQ(u.age, 32);
}

TEST(DecodeBasic, NestedListsOfModels)
{
    auto p = ins::from_json<Person>(R"({"name":"Ann","age":40,"addresses":[
        {"street":"1 Main St","city":"Springfield"},
        {"street":"2 Side St","city":"Shelbyville","country":"US"}]})");
    ASSERT_EQ(p.addresses.size(), 2u);
    EXPECT_EQ(p.addresses[0].city, "Springfield");
    EXPECT_FALSE(p.addresses[0].country.has_value());
    EXPECT_EQ(p.addresses[1].country, "US");
}

TEST(DecodeBasic, EnumsOptionalsAndNull)
{
    auto t = ins::from_json<Ticket>(
        R"({"title":"Printer on fire","priority":"high","tags":["hw"],"estimate_hours":null})");
    EXPECT_EQ(t.priority, Priority::high);
    EXPECT_FALSE(t.estimate_hours);
    auto t2 = ins::from_json<Ticket>(
        R"({"title":"Printer on fire","priority":"low","tags":["hw","urgent"],"estimate_hours":4})");
    EXPECT_EQ(t2.priority, Priority::low);
    EXPECT_EQ(t2.estimate_hours, 4);
    EXPECT_EQ(t2.tags, (std::vector<std::string>{"hw", "urgent"}));
}

TEST(DecodeBasic, RecursiveModel)
{
    auto n = ins::from_json<TreeNode>(
        R"({"label":"root","children":[{"label":"a","children":[{"label":"a1","children":[]}]},
            {"label":"b","children":[]}]})");
    ASSERT_EQ(n.children.size(), 2u);
    EXPECT_EQ(n.children[0].children[0].label, "a1");
    EXPECT_EQ(n.children[1].label, "b");
}

TEST(DecodeBasic, VariantPicksTheAlternativeThatFitsEveryKey)
{
    auto h = ins::from_json<Household>(R"({"pets":[{"name":"Tom","indoor":true},
        {"name":"Rex","breed":"lab"}],"rooms":{"kitchen":1,"bed":2}})");
    ASSERT_EQ(h.pets.size(), 2u);
    ASSERT_TRUE(std::holds_alternative<Cat>(h.pets[0]));
    EXPECT_TRUE(std::get<Cat>(h.pets[0]).indoor);
    ASSERT_TRUE(std::holds_alternative<Dog>(h.pets[1]));
    EXPECT_EQ(std::get<Dog>(h.pets[1]).breed, "lab");
    EXPECT_EQ(h.rooms.at("bed"), 2);
}

TEST(DecodeBasic, AnyJsonValue)
{
    auto a = ins::from_json<Anything>(
        R"({"kind":"x","payload":{"a":[1,2.5,"s",null,true,{"b":{}}],"big":18446744073709551615}})");
    EXPECT_EQ(a.payload.at("a").at(1).as_double(), 2.5);
    EXPECT_EQ(a.payload.at("big").as_uint64(), 18446744073709551615ull);
    EXPECT_EQ(boost::json::serialize(a.payload),
              R"({"a":[1,2.5E0,"s",null,true,{"b":{}}],"big":18446744073709551615})");
    EXPECT_FALSE(a.flag);
}

TEST(DecodeBasic, DefaultedFieldKeepsItsInitialiser)
{
    auto d = ins::from_json<Defaults>(R"({"name":"n"})");
    EXPECT_EQ(d.retries, 3);
    auto d2 = ins::from_json<Defaults>(R"({"name":"n","retries":7,"score":0.5})");
    EXPECT_EQ(d2.retries, 7);
    EXPECT_EQ(d2.score, 0.5);
}

TEST(DecodeBasic, InheritedMembers)
{
    auto d = ins::from_json<Derived>(R"({"id":"x1","values":[1,2.5,-3e2]})");
    EXPECT_EQ(d.id, "x1");
    EXPECT_EQ(d.values, (std::vector<double>{1, 2.5, -300}));
}

TEST(DecodeBasic, EscapesAndUnicodeInStrings)
{
    auto u = ins::from_json<UserInfo>(R"({"name":"Zo\u00eb \"Z\" \ud83d\ude00\n","age":1})");
    EXPECT_EQ(u.name, "Zo\xc3\xab \"Z\" \xf0\x9f\x98\x80\n");
}

TEST(DecodeBasic, LaxCoercionsByDefault)
{
    auto u = ins::from_json<UserInfo>(R"({"name":"J","age":"25"})");
    EXPECT_EQ(u.age, 25);
    auto u2 = ins::from_json<UserInfo>(R"({"name":"J","age":25.0})");
    EXPECT_EQ(u2.age, 25);
    auto a = ins::from_json<Anything>(R"({"kind":"k","payload":1,"flag":"true"})");
    EXPECT_EQ(a.flag, true);
    auto t = ins::from_json<Ticket>(R"({"title":"abc","priority":"High","tags":["x"]})");
    EXPECT_EQ(t.priority, Priority::high);
    auto c = ins::from_json<Constrained>(
        R"({"ratio":"0.5","count":"-2","code":"ABC-1","level":"7","weight":1})");
    EXPECT_EQ(c.ratio, 0.5);
    EXPECT_EQ(c.count, -2);
    EXPECT_EQ(c.level, 7);
}

TEST(DecodeBasic, UnknownKeysIgnoredByDefault)
{
    auto u = ins::from_json<UserInfo>(
        R"({"extra":{"deep":[1,{"x":[]}]},"name":"J","more":"s","age":3})");
    EXPECT_EQ(u.name, "J");
    EXPECT_EQ(u.age, 3);
}

TEST(DecodeBasic, RepeatedKeyLastOneWins)
{
    auto p = ins::from_json<Person>(
        R"({"name":"A","age":1,"addresses":[{"street":"s","city":"c"}],"name":"B","addresses":[]})");
    EXPECT_EQ(p.name, "B");
    EXPECT_TRUE(p.addresses.empty());
}

TEST(DecodeBasic, DecodeFromParsedValue)
{
    auto v = boost::json::parse(R"({"name":"J","age":5})");
    auto r = ins::decode_value<UserInfo>(v);
    ASSERT_TRUE(r);
    EXPECT_EQ(r.value->age, 5);
}

TEST(DecodeBasic, SurroundingWhitespace)
{
    EXPECT_TRUE(ins::decode<UserInfo>(" \n\t{\"name\":\"J\",\"age\":5}\r\n "));
}

}  // namespace decode_basic_test
