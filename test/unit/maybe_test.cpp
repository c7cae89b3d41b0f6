// ins::maybe<T>: its schema (named Maybe + T's name) and both of its answers.
#include "models.hpp"

#include <instructor/maybe.hpp>

#include <gtest/gtest.h>

namespace maybe_test {

using models::UserInfo;

TEST(Maybe, NamedAfterTheModelWithResultErrorAndMessage)
{
    EXPECT_EQ(ins::model_name<ins::maybe<UserInfo>>(), "MaybeUserInfo");
    auto const& schema = ins::json_schema<ins::maybe<UserInfo>>();
    EXPECT_EQ(schema.at("title"), "MaybeUserInfo");
    auto const& props = schema.at("properties").as_object();
    EXPECT_TRUE(props.contains("result"));
    EXPECT_TRUE(props.contains("error"));
    EXPECT_TRUE(props.contains("message"));
    EXPECT_NE(boost::json::serialize(props.at("message")).find("short and concise"), std::string::npos);
    // only what has no default is required: nothing
    auto const* required = schema.if_contains("required");
    EXPECT_TRUE(!required || required->as_array().empty()) << boost::json::serialize(schema);
    // the strict form keeps every key, nullable where optional
    auto const& strict = ins::strict_json_schema<ins::maybe<UserInfo>>();
    EXPECT_EQ(strict.at("required").as_array().size(), 3u);
}

TEST(Maybe, AResultOrAnExplanation)
{
    auto const found = ins::from_json<ins::maybe<UserInfo>>(
        R"({"result": {"name": "John Doe", "age": 32}, "error": false, "message": null})");
    ASSERT_TRUE(found.result);
    EXPECT_EQ(found.result->age, 32);
    EXPECT_FALSE(found.error);
    auto const none = ins::from_json<ins::maybe<UserInfo>>(
        R"({"result": null, "error": true, "message": "No user is mentioned."})");
    EXPECT_FALSE(none.result);
    EXPECT_TRUE(none.error);
    EXPECT_EQ(none.message, "No user is mentioned.");
    auto const bad = ins::decode<ins::maybe<UserInfo>>(R"({"result": {"name": "Jo"}})");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.issues.at(0).path, "result/age");
}

}  // namespace maybe_test
