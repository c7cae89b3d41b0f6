// Parallel tools on every API through the public API against the mock: a
// std::vector<std::variant<...>> and create_iterable over a variant ask in the parallel mode of
// the client's API (chat, Anthropic Messages, Responses), every call is an answer, and a re-ask
// answers every call.
#include "async_test.hpp"
#include "mock_client.hpp"
#include "models.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

namespace parallel_tools_test {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace models;
using instructor::testing::mock_reply;
using instructor::testing::mock_server;
using calls_t = std::vector<std::variant<Weather, Search>>;

namespace {

ins::request ask_for_calls() { return test::ask("Weather in Paris and the news, please."); }

json::object body_of(mock_server const& m, std::size_t i)
{
    return json::parse(m.requests().at(i).body).as_object();
}

/// A Messages API reply calling each of `calls` ({name, input JSON}).
mock_reply anthropic_calls(std::vector<std::pair<std::string, std::string>> const& calls)
{
    json::array content;
    for (std::size_t i = 0; i < calls.size(); ++i)
        content.push_back(json::object{{"type", "tool_use"},
                                       {"id", "toolu_" + std::to_string(i)},
                                       {"name", calls[i].first},
                                       {"input", json::parse(calls[i].second)}});
    return mock_reply::json(json::serialize(json::object{
        {"id", "msg_1"}, {"type", "message"}, {"role", "assistant"}, {"model", "claude"},
        {"content", content}, {"stop_reason", "tool_use"},
        {"usage", {{"input_tokens", 10}, {"output_tokens", 5}}}}));
}

/// A Responses API reply with a function_call item for each of `calls`.
mock_reply responses_calls(std::vector<std::pair<std::string, std::string>> const& calls)
{
    json::array output;
    for (std::size_t i = 0; i < calls.size(); ++i)
        output.push_back(json::object{{"type", "function_call"},
                                      {"id", "fc_" + std::to_string(i)},
                                      {"call_id", "call_" + std::to_string(i)},
                                      {"name", calls[i].first},
                                      {"arguments", calls[i].second},
                                      {"status", "completed"}});
    return mock_reply::json(json::serialize(ins::testing::response_object(std::move(output))));
}

std::string render(calls_t const& calls)
{
    std::string out;
    for (auto const& c : calls)
        out += std::visit([](auto const& v) { return ins::to_json(v); }, c) + ";";
    return out;
}

}  // namespace

TEST(ParallelTools, AnthropicOffersEveryToolAndTakesEveryCall)
{
    mock_server m;
    m.push(anthropic_calls({{"Weather", R"({"city":"Paris"})"}, {"Search", R"({"query":"news"})"},
                            {"Weather", R"({"city":"Oslo"})"}}));
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::anthropic_tools), [&](ins::client& c) -> asio::awaitable<void> {
        auto calls = co_await c.create<calls_t>(ask_for_calls());
        EXPECT_EQ(render(calls), R"({"city":"Paris"};{"query":"news"};{"city":"Oslo"};)");
        // against the mock's own answer: one call per tool
        auto defaults = co_await c.create<calls_t>(ask_for_calls());
        EXPECT_EQ(defaults.size(), 2u);
    });
    ASSERT_FALSE(err) << err->what();
    auto const body = body_of(m, 0);
    EXPECT_EQ(m.requests().at(0).target, "/v1/messages");
    EXPECT_EQ(body.at("tools").as_array().size(), 2u);
    EXPECT_EQ(body.at("tool_choice"), (json::object{{"type", "any"}}));
}

TEST(ParallelTools, AnthropicReasksAnswerEveryToolUse)
{
    mock_server m;
    m.push(anthropic_calls({{"Weather", R"({"city":"Paris"})"}, {"Search", R"({"q":"news"})"}}));
    m.push(anthropic_calls({{"Weather", R"({"city":"Paris"})"}, {"Search", R"({"query":"news"})"}}));
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::anthropic_parallel_tools),
                                       [&](ins::client& c) -> asio::awaitable<void> {
        auto [calls, completion] = co_await c.create_with_completion<calls_t>(ask_for_calls());
        EXPECT_EQ(completion.attempts, 2);
        EXPECT_EQ(render(calls), R"({"city":"Paris"};{"query":"news"};)");
    });
    ASSERT_FALSE(err) << err->what();
    auto const msgs = body_of(m, 1).at("messages").as_array();
    ASSERT_EQ(msgs.size(), 3u);
    EXPECT_EQ(msgs[1].at("content").as_array().size(), 2u);  // both tool_use blocks echoed
    auto const& results = msgs[2].at("content").as_array();
    ASSERT_EQ(results.size(), 2u);  // and a tool_result for each
    EXPECT_EQ(results[0].at("tool_use_id"), "toolu_0");
    EXPECT_EQ(results[1].at("tool_use_id"), "toolu_1");
    EXPECT_NE(json::serialize(results).find("query: Field required"), std::string::npos);
}

TEST(ParallelTools, ResponsesOffersEveryFunctionAndReasksEveryCall)
{
    mock_server m;
    m.push(responses_calls({{"Search", R"({"query":"news"})"}, {"Weather", R"({"town":"Paris"})"}}));
    m.push(responses_calls({{"Search", R"({"query":"news"})"}, {"Weather", R"({"city":"Paris"})"}}));
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::responses_tools), [&](ins::client& c) -> asio::awaitable<void> {
        auto [calls, completion] = co_await c.create_with_completion<calls_t>(ask_for_calls());
        EXPECT_EQ(completion.attempts, 2);
        EXPECT_EQ(render(calls), R"({"query":"news"};{"city":"Paris"};)");
        auto defaults = co_await c.create<calls_t>(ask_for_calls());
        EXPECT_EQ(defaults.size(), 2u);
    });
    ASSERT_FALSE(err) << err->what();
    auto const first = body_of(m, 0);
    EXPECT_EQ(m.requests().at(0).target, "/v1/responses");
    EXPECT_EQ(first.at("tools").as_array().size(), 2u);
    EXPECT_EQ(first.at("tool_choice"), "required");
    EXPECT_EQ(first.at("parallel_tool_calls"), true);
    auto const input = body_of(m, 1).at("input").as_array();
    std::vector<std::string> outputs;
    for (auto const& item : input)
        if (item.as_object().contains("type") && item.at("type") == "function_call_output")
            outputs.push_back(std::string(item.at("call_id").as_string()));
    EXPECT_EQ(outputs, (std::vector<std::string>{"call_0", "call_1"}));
}

TEST(ParallelTools, IterablesOfVariantsStreamOnEveryApi)
{
    for (auto mode : {ins::mode::tools, ins::mode::anthropic_tools, ins::mode::responses_tools}) {
        SCOPED_TRACE(ins::to_string(mode));
        mock_server m;
        std::size_t weather = 0, search = 0;
        auto err = test::with<ins::client>(test::mock_options(m, mode), [&](ins::client& c) -> asio::awaitable<void> {
            auto s = c.create_iterable<std::variant<Weather, Search>>(ask_for_calls());
            while (auto item = co_await s.next())
                ++(item->index() == 0 ? weather : search);
        });
        ASSERT_FALSE(err) << err->what();
        EXPECT_EQ(weather, 1u);  // the mock calls every offered function once
        EXPECT_EQ(search, 1u);
        EXPECT_EQ(body_of(m, 0).at("tools").as_array().size(), 2u);
    }
}

TEST(ParallelTools, AnExplicitSingleToolModeIsNotParallel)
{
    mock_server m;
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::anthropic_parallel_tools),
                                       [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(ask_for_calls());
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::invalid_argument);
    EXPECT_TRUE(m.requests().empty());
}

}  // namespace parallel_tools_test
