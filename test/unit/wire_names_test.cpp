// Wire names (`ins::field(&T::m, {.name = "class"})`) and defaults in the schema: the key is the
// same in the schema, the decoder, to_json and a partial's has().
#include "models.hpp"

#include <instructor/decode.hpp>
#include <instructor/encode.hpp>
#include <instructor/schema.hpp>

#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

namespace wire_names_test {

namespace wire_names {

struct Token {
    std::string klass;       // "class" on the wire
    std::string first_name;  // "first-name"
    int retries = 3;         // may be absent: 3
    std::vector<std::string> tags{"a", "b"};
};
BOOST_DESCRIBE_STRUCT(Token, (), (klass, first_name, retries, tags))

inline auto instructor_model(ins::tag<Token>)
{
    return ins::model({}, ins::field(&Token::klass, {.name = "class", .description = "Word class"}),
                      ins::field(&Token::first_name, {.name = "first-name", .min_length = 1}),
                      ins::field(&Token::retries, {.has_default = true}),
                      ins::field(&Token::tags, {.has_default = true}));
}

}  // namespace wire_names

using wire_names::Token;

TEST(WireNames, TheSchemaUsesThemWithTheirDescriptionsAndConstraints)
{
    auto const& s = ins::json_schema<Token>();
    auto const& props = s.at("properties").as_object();
    ASSERT_TRUE(props.contains("class")) << boost::json::serialize(s);
    EXPECT_FALSE(props.contains("klass"));
    EXPECT_EQ(props.at("class").at("description"), "Word class");
    EXPECT_EQ(props.at("first-name").at("minLength"), 1);
    EXPECT_EQ(boost::json::serialize(s.at("required")), R"(["class","first-name"])");
    // the strict form lists every wire name as required
    EXPECT_EQ(boost::json::serialize(ins::strict_json_schema<Token>().at("required")),
              R"(["class","first-name","retries","tags"])");
}

TEST(WireNames, DefaultsAreTheInitialisersValuesAndLeaveTheStrictForm)
{
    auto const& props = ins::json_schema<Token>().at("properties").as_object();
    EXPECT_EQ(props.at("retries").at("default"), 3);
    EXPECT_EQ(boost::json::serialize(props.at("tags").at("default")), R"(["a","b"])");
    EXPECT_FALSE(props.at("class").as_object().contains("default"));
    auto const& strict = ins::strict_json_schema<Token>().at("properties").as_object();
    EXPECT_FALSE(strict.at("retries").as_object().contains("default"));
    EXPECT_FALSE(strict.at("tags").as_object().contains("default"));
}

TEST(WireNames, TheDecoderReadsThemAndReportsThemInPaths)
{
    auto const t = ins::from_json<Token>(R"({"class": "noun", "first-name": "Ada"})");
    EXPECT_EQ(t.klass, "noun");
    EXPECT_EQ(t.first_name, "Ada");
    EXPECT_EQ(t.retries, 3);
    EXPECT_EQ(t.tags.size(), 2u);

    // The C++ names are not the keys: they are missing, and unknown in strict decoding.
    auto const r = ins::decode<Token>(R"({"klass": "noun", "first_name": "Ada"})");
    ASSERT_FALSE(r);
    std::vector<std::string> paths;
    for (auto const& i : r.issues)
        paths.push_back(i.path + ":" + std::to_string(static_cast<int>(i.kind)));
    EXPECT_NE(std::find(paths.begin(), paths.end(),
                        "class:" + std::to_string(static_cast<int>(ins::issue_kind::missing))),
              paths.end());
    auto const strict = ins::decode<Token>(R"({"class": "n", "first-name": "A", "klass": "x"})",
                                           ins::strict_decoding);
    ASSERT_FALSE(strict);
    EXPECT_EQ(strict.issues.at(0).kind, ins::issue_kind::extra);

    // constraints apply under the wire name
    auto const empty = ins::decode<Token>(R"({"class": "n", "first-name": ""})");
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.issues.at(0).path, "first-name");
}

TEST(WireNames, ToJsonWritesThemAndReadsBack)
{
    Token t;
    t.klass = "verb";
    t.first_name = "Grace";
    auto const text = ins::to_json(t);
    EXPECT_EQ(text, R"({"class":"verb","first-name":"Grace","retries":3,"tags":["a","b"]})");
    auto const back = ins::from_json<Token>(text);
    EXPECT_EQ(back.klass, "verb");
    EXPECT_EQ(back.first_name, "Grace");
}

TEST(WireNames, APartialKnowsAMemberByItsWireName)
{
    ins::decoder<Token> d;
    d.write(R"({"class": "noun", "first-)");
    EXPECT_TRUE(d.session().root_member_seen(0));
    EXPECT_FALSE(d.session().root_member_seen(1));
    d.write(R"(name": "A)");
    EXPECT_TRUE(d.session().root_member_seen(1));
}

}  // namespace wire_names_test
