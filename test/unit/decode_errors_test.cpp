// Every way a model's output can be wrong, and the exact lines the model reads on a re-ask.
#include "models.hpp"

#include <gtest/gtest.h>

namespace decode_errors_test {

using namespace models;

namespace {

template <class T>
std::string issues_of(std::string_view json, ins::decode_options const& opts = {})
{
    auto r = ins::decode<T>(json, opts);
    EXPECT_FALSE(r) << "expected failure for " << json;
    return ins::format_issues(r.issues);
}

}  // namespace

TEST(DecodeErrors, WrongTypeNamesPathExpectedAndFound)
{
    EXPECT_EQ(issues_of<UserInfo>(R"({"name":"J","age":"thirty"})"),
              R"(age: Input should be a valid integer, got "thirty" (string))");
    EXPECT_EQ(issues_of<UserInfo>(R"({"name":5,"age":[1]})"),
              "name: Input should be a valid string, got 5 (integer)\n"
              "age: Input should be a valid integer, got an array");
    EXPECT_EQ(issues_of<UserInfo>(R"({"name":{"first":"J"},"age":true})"),
              "name: Input should be a valid string, got an object\n"
              "age: Input should be a valid integer, got true (boolean)");
}

TEST(DecodeErrors, EveryErrorIsCollectedNotJustTheFirst)
{
    auto r = ins::decode<Person>(R"({"name":null,"age":1.5,"addresses":[
        {"street":"s"},{"street":1,"city":"c","country":false},"oops"]})");
    ASSERT_FALSE(r);
    EXPECT_EQ(ins::format_issues(r.issues),
              "name: Input should be a valid string, got null\n"
              "age: Input should be a valid integer without a fractional part, got 1.5 (number)\n"
              "addresses/0/city: Field required\n"
              "addresses/1/street: Input should be a valid string, got 1 (integer)\n"
              "addresses/1/country: Input should be a valid string, got false (boolean)\n"
              "addresses/2: Input should be an object, got \"oops\" (string)");
    EXPECT_EQ(r.issues[2].kind, ins::issue_kind::missing);
}

TEST(DecodeErrors, MissingRequiredFields)
{
    EXPECT_EQ(issues_of<UserInfo>("{}"), "name: Field required\nage: Field required");
    // optional and defaulted members may be absent
    EXPECT_TRUE(ins::decode<Defaults>(R"({"name":"x"})"));
}

TEST(DecodeErrors, WrongRootType)
{
    EXPECT_EQ(issues_of<UserInfo>("[1,2]"), "Input should be an object, got an array");
    EXPECT_EQ(issues_of<UserInfo>(R"("John is 32")"),
              R"(Input should be an object, got "John is 32" (string))");
    EXPECT_EQ(issues_of<UserInfo>("null"), "Input should be an object, got null");
}

TEST(DecodeErrors, IntegerOverflowPerWidth)
{
    EXPECT_EQ(issues_of<Constrained>(
                  R"({"ratio":0.5,"count":1,"code":"ABC-1","level":256,"weight":1})"),
              "level: Input should be an integer between 0 and 255 (uint8), got 256 (integer)");
    EXPECT_EQ(issues_of<Constrained>(
                  R"({"ratio":0.5,"count":1,"code":"ABC-1","level":-1,"weight":1})"),
              "level: Input should be an integer between 0 and 255 (uint8), got -1 (integer)");
    EXPECT_EQ(issues_of<UserInfo>(R"({"name":"J","age":2147483648})"),
              "age: Input should be an integer between -2147483648 and 2147483647 (int32), "
              "got 2147483648 (integer)");
    EXPECT_EQ(issues_of<Constrained>(
                  R"({"ratio":0.5,"count":9223372036854775808,"code":"ABC-1","level":1,"weight":1})"),
              "count: Input should be an integer between -9223372036854775808 and "
              "9223372036854775807 (int64), got 9223372036854775808 (integer)");
    EXPECT_EQ(issues_of<Constrained>(
                  R"({"ratio":0.5,"count":1e30,"code":"ABC-1","level":1,"weight":1})"),
              "count: Input should be an integer between -9223372036854775808 and "
              "9223372036854775807 (int64), got 1e+30 (number)");
    EXPECT_EQ(issues_of<Constrained>(
                  R"({"ratio":0.5,"count":1,"code":"ABC-1","level":1,"weight":1e39})"),
              "weight: Input should be a number between -3.4028234663852886e+38 and "
              "3.4028234663852886e+38 (float), got 1e+39 (number)");
}

TEST(DecodeErrors, EnumValues)
{
    EXPECT_EQ(issues_of<Ticket>(R"({"title":"abc","priority":"urgent","tags":["x"]})"),
              R"(priority: Input should be 'low', 'medium' or 'high', got "urgent" (string))");
    // case-insensitive matching is a lax coercion only
    EXPECT_EQ(issues_of<Ticket>(R"({"title":"abc","priority":"High","tags":["x"]})",
                                ins::strict_decoding),
              R"(priority: Input should be 'low', 'medium' or 'high', got "High" (string))");
}

TEST(DecodeErrors, Constraints)
{
    EXPECT_EQ(issues_of<Ticket>(
                  R"({"title":"ab","priority":"low","tags":[],"estimate_hours":-1})"),
              "title: String should have at least 3 characters, got \"ab\" (string)\n"
              "tags: Array should have at least 1 item, got 0\n"
              "estimate_hours: Input should be greater than or equal to 0, got -1 (integer)");
    EXPECT_EQ(issues_of<Ticket>(R"({"title":"abc","priority":"low","tags":["1","2","3","4","5","6"],
                                   "estimate_hours":1000})"),
              "tags: Array should have at most 5 items, got 6\n"
              "estimate_hours: Input should be less than 1000, got 1000 (integer)");
    EXPECT_EQ(issues_of<Constrained>(
                  R"({"ratio":0,"count":100,"code":"abc-1","level":1,"weight":1})"),
              "ratio: Input should be greater than 0, got 0 (integer)\n"
              "count: Input should be less than 100, got 100 (integer)\n"
              "code: String should match pattern '^[A-Z]{3}-[0-9]+$', got \"abc-1\" (string)");
    EXPECT_EQ(issues_of<Constrained>(
                  R"({"ratio":1.5,"count":-6,"code":"ABC-12","level":1,"weight":1})"),
              "ratio: Input should be less than or equal to 1, got 1.5 (number)\n"
              "count: Input should be greater than or equal to -5, got -6 (integer)");
}

TEST(DecodeErrors, LengthCountsCodePointsNotBytes)
{
    // three characters, six bytes: long enough
    EXPECT_TRUE(ins::decode<Ticket>(
        "{\"title\":\"\xc3\xa9\xc3\xa9\xc3\xa9\",\"priority\":\"low\",\"tags\":[\"x\"]}"));
    // two characters, four bytes: too short
    EXPECT_FALSE(ins::decode<Ticket>(
        "{\"title\":\"\xc3\xa9\xc3\xa9\",\"priority\":\"low\",\"tags\":[\"x\"]}"));
}

TEST(DecodeErrors, StrictRejectsCoercionsAndExtras)
{
    EXPECT_EQ(issues_of<UserInfo>(R"({"name":"J","age":"25"})", ins::strict_decoding),
              R"(age: Input should be a valid integer, got "25" (string))");
    EXPECT_EQ(issues_of<UserInfo>(R"({"name":"J","age":25.0})", ins::strict_decoding),
              "age: Input should be a valid integer, got 25 (number)");
    EXPECT_EQ(issues_of<UserInfo>(R"({"name":"J","age":25,"nick":"jj","x":{}})",
                                  ins::strict_decoding),
              "nick: Extra inputs are not permitted\nx: Extra inputs are not permitted");
    EXPECT_EQ(issues_of<Anything>(R"({"kind":"k","payload":1,"flag":"yes"})",
                                  ins::strict_decoding),
              R"(flag: Input should be a valid boolean, got "yes" (string))");
}

TEST(DecodeErrors, NumbersAreNeverStrings)
{
    EXPECT_EQ(issues_of<UserInfo>(R"({"name":42,"age":1})"),
              "name: Input should be a valid string, got 42 (integer)");
}

TEST(DecodeErrors, LongValuesAreShortenedInMessages)
{
    std::string big(500, 'x');
    auto msg = issues_of<UserInfo>(R"({"name":"J","age":")" + big + R"("})");
    EXPECT_EQ(msg, "age: Input should be a valid integer, got \"" + std::string(60, 'x') +
                       "...\" (string)");
}

TEST(DecodeErrors, VariantReportsEachAlternative)
{
    EXPECT_EQ(issues_of<Household>(R"({"pets":[{"name":"Tom"}],"rooms":{}})"),
              "pets/0/Cat/indoor: Field required\npets/0/Dog/breed: Field required");
    EXPECT_EQ(issues_of<Household>(R"({"pets":[],"rooms":{"a":"one"}})"),
              R"(rooms/a: Input should be a valid integer, got "one" (string))");
}

TEST(DecodeErrors, ModelValidateRunsAfterFieldsAndJoinsTheList)
{
    EXPECT_EQ(issues_of<Signup>(R"({"email":"nope","password":"a","confirm":"b"})"),
              "email: Invalid email\nconfirm: Passwords do not match");
    // paths are relative to the model that validates
    EXPECT_EQ(issues_of<Team>(R"({"name":"t","members":[
                {"email":"a@b","password":"p","confirm":"p"},
                {"email":"c","password":"p","confirm":"p"}]})"),
              "members/1/email: Invalid email");
    EXPECT_EQ(ins::decode<Team>(R"({"name":"t","members":[{"email":"c"}]})").issues[0].kind,
              ins::issue_kind::missing);
    // validate() does not run on a model whose fields failed
    EXPECT_EQ(issues_of<Signup>(R"({"email":"nope","password":1,"confirm":"b"})"),
              "password: Input should be a valid string, got 1 (integer)");
    EXPECT_TRUE(ins::decode<Signup>(R"({"email":"a@b","password":"x","confirm":"x"})"));
}

TEST(DecodeErrors, ThrowingValidatorBecomesAnIssue)
{
    auto r = ins::decode<Throwing>(R"({"value":-1})");
    ASSERT_EQ(r.issues.size(), 1u);
    EXPECT_EQ(r.issues[0].message, "value must not be negative");
    EXPECT_EQ(r.issues[0].kind, ins::issue_kind::custom);
}

// The decoder's own syntax errors (repair off: what repair starts from is tested in
// json_repair_test.cpp).
TEST(DecodeErrors, MalformedJsonGivesOffsetNeverACrash)
{
    ins::decode_options const plain{.repair = false};
    EXPECT_EQ(issues_of<UserInfo>(R"({"name":"J","age":3)"),
              "Invalid JSON at byte 19: the text ends before the JSON value is complete");
    EXPECT_EQ(issues_of<UserInfo>(R"({"name":"J","age":3} trailing)", plain),
              "Invalid JSON at byte 21: unexpected text after the JSON value near \"trailing\"");
    EXPECT_EQ(issues_of<UserInfo>(R"({"name":"J" "age":3})", plain),  // repair adds the comma
              "Invalid JSON at byte 12: syntax error near \"\\\"age\\\":3}\"");
    EXPECT_EQ(issues_of<UserInfo>(""),
              "Invalid JSON at byte 0: the text ends before the JSON value is complete");
    EXPECT_EQ(issues_of<UserInfo>("{\"name\":\"\xff\",\"age\":1}").substr(0, 22),
              "Invalid JSON at byte 9");
    for (auto const* bad : {"{", "}", "[", "nul", "tru", "{\"a\" 1}", "{,}", "[1,]", "01",
                            "\"\\x\"", "{\"name\":\"J\",}", "1e", "-", "\"abc"})
    {
        auto r = ins::decode<UserInfo>(bad, plain);
        ASSERT_EQ(r.issues.size(), 1u) << bad;
        EXPECT_EQ(r.issues[0].kind, ins::issue_kind::syntax) << bad;
    }
}

TEST(DecodeErrors, DeepNestingIsAnErrorNotAStackOverflow)
{
    std::string deep(100000, '[');
    auto r = ins::decode<Anything>(R"({"kind":"k","payload":)" + deep);
    ASSERT_FALSE(r);
    EXPECT_NE(r.issues[0].message.find("maximum depth"), std::string::npos);

    std::string tree;
    for (int i = 0; i < 40; ++i)
        tree += R"({"label":"n","children":[)";
    auto t = ins::decode<TreeNode>(tree, {.max_depth = 20});
    ASSERT_FALSE(t);
    EXPECT_EQ(t.issues[0].kind, ins::issue_kind::syntax);
}

TEST(DecodeErrors, IssueCountIsCapped)
{
    std::string doc = R"({"kind":"k","payload":1,"flag":null)";
    ins::decode_options opts{.allow_extra = false, .max_issues = 5};
    for (int i = 0; i < 50; ++i)
        doc += ",\"x" + std::to_string(i) + "\":1";
    doc += "}";
    auto r = ins::decode<Anything>(doc, opts);
    ASSERT_EQ(r.issues.size(), 6u);
    EXPECT_EQ(r.issues.back().message, "... and 45 more issues");
}

TEST(DecodeErrors, FromJsonThrowsTypedError)
{
    try {
        (void)ins::from_json<UserInfo>(R"({"name":"J"})");
        FAIL() << "no exception";
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code(), ins::errc::validation_failed);
        ASSERT_EQ(e.issues.size(), 1u);
        EXPECT_EQ(e.issues[0].path, "age");
        EXPECT_NE(std::string(e.what()).find("age: Field required"), std::string::npos);
    }
}

}  // namespace decode_errors_test
