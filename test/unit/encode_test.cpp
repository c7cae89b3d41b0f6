// T -> JSON, and back.
#include "models.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

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
