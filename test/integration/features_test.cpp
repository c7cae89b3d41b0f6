// Call features through the public API against the mock: ins::maybe<T>, a token budget, and
// the cost a provider reports.
#include "async_test.hpp"
#include "models.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

namespace asio = boost::asio;
namespace json = boost::json;
using namespace models;
using instructor::testing::mock_reply;
using instructor::testing::mock_server;

namespace {

ins::client_options options_for(mock_server const& m, ins::mode mode)
{
    ins::client_options o;
    o.base_url = m.base_url();
    o.api_key = "sk-features";
    o.mode = mode;
    o.default_model = "gpt-4o-mini";
    return o;
}

ins::request ask(std::string text, int max_retries = 3)
{
    ins::request r;
    r.messages.push_back(ins::message::user(std::move(text)));
    r.max_retries = max_retries;
    return r;
}

}  // namespace

TEST(Features, MaybeGivesAResultOrAnExplanation)
{
    mock_server m;
    m.push(mock_reply::chat_tool_call("MaybeUserInfo",
                                      R"({"result":{"name":"John Doe","age":32},"error":false,"message":null})"));
    m.push(mock_reply::chat_tool_call("MaybeUserInfo",
                                      R"({"result":null,"error":true,"message":"No person is mentioned."})"));
    auto err = test::with<ins::client>(options_for(m, ins::mode::tools), [&](ins::client& c) -> asio::awaitable<void> {
        auto found = co_await c.create<ins::maybe<UserInfo>>(ask("John Doe is 32 years old."));
        EXPECT_TRUE(found.result && found.result->age == 32);
        auto none = co_await c.create<ins::maybe<UserInfo>>(ask("The weather is nice."));
        EXPECT_FALSE(none.result);
        EXPECT_TRUE(none.error);
        EXPECT_EQ(none.message, "No person is mentioned.");
    });
    ASSERT_FALSE(err) << err->what();
    auto const body = json::parse(m.requests().at(0).body);
    EXPECT_EQ(body.at("tools").at(0).at("function").at("name"), "MaybeUserInfo");
}

TEST(Features, MaybeInStructuredOutputsAgainstTheDefaultAnswer)
{
    mock_server m;
    auto err = test::with<ins::client>(options_for(m, ins::mode::structured_outputs),
                                       [&](ins::client& c) -> asio::awaitable<void> {
                                           (void)co_await c.create<ins::maybe<UserInfo>>(
                                               ask("John Doe is 32 years old."));
                                       });
    ASSERT_FALSE(err) << err->what();
    auto const body = json::parse(m.requests().at(0).body);
    EXPECT_EQ(body.at("response_format").at("json_schema").at("name"), "MaybeUserInfo");
    EXPECT_EQ(body.at("response_format").at("json_schema").at("strict"), true);
}

TEST(Features, ATokenBudgetEndsTheCallWithBudgetExceeded)
{
    mock_server m;
    for (int i = 0; i < 4; ++i)
        m.push(mock_reply::chat_tool_call("UserInfo", R"({"name":"John Doe","age":"thirty"})"));
    auto err = test::with<ins::client>(options_for(m, ins::mode::tools), [&](ins::client& c) -> asio::awaitable<void> {
        auto req = ask("John Doe is 32 years old.");
        req.token_budget = 10;
        co_await c.create<UserInfo>(req);
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::budget_exceeded) << err->what();
    EXPECT_EQ(m.requests().size(), 1u);
    EXPECT_EQ(err->failed_attempts.size(), 1u);
    EXPECT_GE(err->total_usage.total_tokens, 10u);
}

TEST(Features, TheProvidersCostIsSummedOverAttempts)
{
    mock_server m;
    auto costed = [](std::string args, double cost) {
        auto body = json::parse(mock_reply::chat_tool_call("UserInfo", std::move(args)).body).as_object();
        body["usage"].as_object()["cost"] = cost;
        return mock_reply::json(json::serialize(body));
    };
    m.push(costed(R"({"name":"John Doe","age":"thirty"})", 0.001));
    m.push(costed(R"({"name":"John Doe","age":32})", 0.002));
    auto err = test::with<ins::client>(options_for(m, ins::mode::tools), [&](ins::client& c) -> asio::awaitable<void> {
        auto [u, completion] = co_await c.create_with_completion<UserInfo>(ask("John Doe is 32 years old."));
        EXPECT_EQ(u.age, 32);
        EXPECT_EQ(completion.attempts, 2);
        EXPECT_TRUE(completion.total_usage.cost_usd);
        EXPECT_NEAR(completion.total_usage.cost_usd.value_or(0), 0.003, 1e-12);
    });
    ASSERT_FALSE(err) << err->what();
}
