// The Anthropic Messages API modes against the mock endpoint and recorded Anthropic traffic.
#include "async_test.hpp"
#include "mock_client.hpp"
#include "models.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace anthropic_test {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace models;
using instructor::testing::mock_reply;
using instructor::testing::mock_server;

namespace {

ins::client_options anthropic(mock_server const& m, ins::mode mode = ins::mode::anthropic_tools)
{
    auto o = test::mock_options(m, mode);
    o.api_key = "sk-ant-test-key-0001";  // the x-api-key header is checked
    o.default_model = "claude-sonnet-4-5";
    return o;
}

ins::request john()
{
    ins::request r;
    r.messages.push_back(ins::message::system("Extract the user."));
    r.messages.push_back(ins::message::user("John Doe is 32 years old."));
    return r;
}

template <class Body>
std::optional<ins::error> with_client(ins::client_options const& o, Body body)
{
    return test::with<ins::client>(o, std::move(body));
}

std::string slurp(std::string const& name)
{
    std::ifstream in(std::filesystem::path(INSTRUCTOR_WIRE_DIR) / name, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

json::object message_with(json::array content, std::string stop)
{
    return {{"id", "msg_1"},          {"type", "message"},       {"role", "assistant"},
            {"model", "claude"},      {"content", std::move(content)}, {"stop_reason", stop},
            {"usage", {{"input_tokens", 11}, {"output_tokens", 7}}}};
}

struct Answer {
    int integer_a;
    int integer_b;
    int answer;
};
BOOST_DESCRIBE_STRUCT(Answer, (), (integer_a, integer_b, answer))

struct Output {
    int output;
};
BOOST_DESCRIBE_STRUCT(Output, (), (output))

struct NoParameters {};
BOOST_DESCRIBE_STRUCT(NoParameters, (), ())

}  // namespace

TEST(Anthropic, ToolsModeSpeaksTheMessagesApi)
{
    mock_server m;
    auto err = with_client(anthropic(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto [u, completion] = co_await c.create_with_completion<UserInfo>(john());
        EXPECT_EQ(u.name, "John Doe");
        EXPECT_EQ(u.age, 32);
        EXPECT_GT(completion.total_usage.prompt_tokens, 0u);
    });
    ASSERT_FALSE(err) << err->what();
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].target, "/v1/messages");
    EXPECT_EQ(ins::net::find_header(reqs[0].headers, "x-api-key"), std::string("sk-ant-test-key-0001"));
    EXPECT_EQ(ins::net::find_header(reqs[0].headers, "anthropic-version"), std::string("2023-06-01"));
    EXPECT_FALSE(ins::net::find_header(reqs[0].headers, "authorization"));
    auto body = json::parse(reqs[0].body).as_object();
    EXPECT_EQ(body.at("system"), "Extract the user.");
    EXPECT_EQ(body.at("max_tokens"), 4096);
    EXPECT_EQ(body.at("messages").as_array().size(), 1u);  // the system prompt is not a message
    EXPECT_EQ(body.at("tools").at(0).at("name"), "UserInfo");
    EXPECT_EQ(body.at("tools").at(0).at("input_schema").at("type"), "object");
    EXPECT_EQ(json::serialize(body.at("tool_choice")), R"({"type":"tool","name":"UserInfo"})");
}

TEST(Anthropic, JsonModePutsTheSchemaInTheSystemPrompt)
{
    mock_server m;
    auto err = with_client(anthropic(m, ins::mode::anthropic_json), [&](ins::client& c) -> asio::awaitable<void> {
        EXPECT_EQ((co_await c.create<UserInfo>(john())).age, 32);
    });
    ASSERT_FALSE(err) << err->what();
    auto body = json::parse(m.requests().at(0).body).as_object();
    std::string system(body.at("system").as_string());
    EXPECT_TRUE(system.starts_with("Extract the user.\n\nAs a genius expert"));
    EXPECT_FALSE(body.contains("tools"));
}

TEST(Anthropic, ReaskSendsToolResultsMarkedAsErrors)
{
    mock_server m;
    m.push(mock_reply::json(json::serialize(message_with(
        json::array{json::object{{"type", "tool_use"}, {"id", "toolu_1"}, {"name", "UserInfo"},
                                 {"input", {{"name", "John Doe"}, {"age", "thirty"}}}}},
        "tool_use"))));
    auto err = with_client(anthropic(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto [u, completion] = co_await c.create_with_completion<UserInfo>(john());
        EXPECT_EQ(u.age, 32);
        EXPECT_EQ(completion.attempts, 2);
    });
    ASSERT_FALSE(err) << err->what();
    auto body = json::parse(m.requests().at(1).body).as_object();
    auto const& msgs = body.at("messages").as_array();
    ASSERT_EQ(msgs.size(), 3u);
    EXPECT_EQ(msgs[1].at("role"), "assistant");
    EXPECT_EQ(msgs[1].at("content").at(0).at("type"), "tool_use");
    auto const& result = msgs[2].at("content").at(0);
    EXPECT_EQ(result.at("type"), "tool_result");
    EXPECT_EQ(result.at("tool_use_id"), "toolu_1");
    EXPECT_EQ(result.at("is_error"), true);
    EXPECT_NE(std::string(result.at("content").as_string()).find("age: Input should be a valid integer"),
              std::string::npos);
}

TEST(Anthropic, MaxTokensAndRefusal)
{
    mock_server m;
    m.push(mock_reply::json(json::serialize(
        message_with(json::array{json::object{{"type", "text"}, {"text", "{\"name\":"}}}, "max_tokens"))));
    auto err = with_client(anthropic(m, ins::mode::anthropic_json), [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(john());
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::output_truncated);
    m.push(mock_reply::json(json::serialize(
        message_with(json::array{json::object{{"type", "text"}, {"text", "I can't help."}}}, "refusal"))));
    err = with_client(anthropic(m, ins::mode::anthropic_json), [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(john());
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::refusal);
}

TEST(Anthropic, RecordedResponses)
{
    mock_server m;
    m.push(mock_reply::json(slurp("12_anthropic_nonstream_output_format_json_schema.json")));
    m.push(mock_reply::json(slurp("13_anthropic_nonstream_tool_use.json")));
    auto err = with_client(anthropic(m, ins::mode::anthropic_json), [&](ins::client& c) -> asio::awaitable<void> {
        auto [a, completion] = co_await c.create_with_completion<Answer>(john());
        EXPECT_EQ(a.answer, 4);
        EXPECT_EQ(completion.total_usage.prompt_tokens, 263u);
        EXPECT_EQ(completion.total_usage.completion_tokens, 25u);
    });
    ASSERT_FALSE(err) << err->what();
    err = with_client(anthropic(m), [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<NoParameters>(john());  // the recorded tool takes no input: {}
    });
    ASSERT_FALSE(err) << err->what();
}

TEST(Anthropic, StreamsPartialsInBothModes)
{
    for (auto mode : {ins::mode::anthropic_tools, ins::mode::anthropic_json}) {
        mock_server m({.stream_chunk_size = 3});
        auto err = with_client(anthropic(m, mode), [&](ins::client& c) -> asio::awaitable<void> {
            auto s = c.create_partial<UserInfo>(john());
            int n = 0;
            std::optional<UserInfo> last;
            while (auto p = co_await s.next()) {
                ++n;
                if (p->complete)
                    last = p->value;
            }
            EXPECT_GT(n, 3);
            EXPECT_TRUE(last && last->name == "John Doe" && last->age == 32);
            EXPECT_GT(s.total_usage().total_tokens, 0u);
        });
        ASSERT_FALSE(err) << err->what();
        EXPECT_EQ(json::parse(m.requests().at(0).body).at("stream"), true);
    }
}

TEST(Anthropic, RecordedStreams)
{
    auto sse = [](std::string const& file) {
        mock_reply r;
        r.content_type = "text/event-stream";
        r.body = slurp(file);
        r.chunk_size = 13;
        return r;
    };
    mock_server m;
    m.push(sse("10_anthropic_stream_tool_use_input_json_delta.sse"));
    m.push(sse("11_anthropic_stream_output_format_json_schema.sse"));
    m.push(sse("14_anthropic_stream_tool_use_simple.sse"));
    auto final_of = [&]<class T>(ins::mode mode, T* out) {
        return with_client(anthropic(m, mode), [&](ins::client& c) -> asio::awaitable<void> {
            auto s = c.create_partial<T>(john());
            while (auto p = co_await s.next())
                if (p->complete)
                    *out = p->value;
        });
    };
    Output o{};
    auto err = final_of(ins::mode::anthropic_tools, &o);
    ASSERT_FALSE(err) << err->what();
    EXPECT_NE(o.output, 0);
    Answer a{};
    err = final_of(ins::mode::anthropic_json, &a);
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(a.answer, 4);
    NoParameters none;
    err = final_of(ins::mode::anthropic_tools, &none);  // partial_json "" stands for {}
    ASSERT_FALSE(err) << err->what();
}

TEST(Anthropic, ProviderFromEnvironment)
{
    mock_server m;
    ::setenv("ANTHROPIC_API_KEY", "sk-ant-env", 1);
    ::setenv("ANTHROPIC_BASE_URL", m.base_url().c_str(), 1);
    asio::io_context ioc;
    auto c = ins::from_provider(ioc.get_executor(), "anthropic/claude-sonnet-4-5");
    EXPECT_EQ(c.options().mode, ins::mode::anthropic_tools);
    auto err = with_client(c.options(), [&](ins::client& cl) -> asio::awaitable<void> {
        EXPECT_EQ((co_await cl.create<UserInfo>(john())).name, "John Doe");
    });
    EXPECT_FALSE(err);
    ::unsetenv("ANTHROPIC_API_KEY");
    ::unsetenv("ANTHROPIC_BASE_URL");
}

// Anthropic's structured outputs: the strict schema in output_config.format, no tools, the
// answer in the text block; calls, streams and a re-ask.
TEST(Anthropic, StructuredOutputsMode)
{
    mock_server m;
    UserInfo u;
    auto err = with_client(anthropic(m, ins::mode::anthropic_structured_outputs),
                           [&](ins::client& c) -> asio::awaitable<void> {
                               u = co_await c.create<UserInfo>(john());
                               auto s = c.create_partial<UserInfo>(john());
                               while (auto p = co_await s.next()) {
                                   if (p->complete) {
                                       EXPECT_EQ(p->value.name, "John Doe");
                                   }
                               }
                           });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(u.name, "John Doe");
    EXPECT_EQ(u.age, 32);
    ASSERT_EQ(m.requests().size(), 2u);
    for (auto const& r : m.requests()) {
        EXPECT_EQ(r.target, "/v1/messages");
        auto body = json::parse(r.body).as_object();
        EXPECT_FALSE(body.contains("tools"));
        EXPECT_FALSE(body.contains("tool_choice"));
        auto const& format = body.at("output_config").at("format");
        EXPECT_EQ(format.at("type"), "json_schema");
        EXPECT_EQ(format.at("schema").at("additionalProperties"), false);  // the strict form
        EXPECT_EQ(body.at("system"), "Extract the user.");  // no schema written into it
    }

    // An answer that does not validate is re-asked in a user turn after the text.
    mock_server m2;
    m2.push(mock_reply::json(json::serialize(message_with(
        json::array{json::object{{"type", "text"}, {"text", R"({"name": "John", "age": "x"})"}}},
        "end_turn"))));
    err = with_client(anthropic(m2, ins::mode::anthropic_structured_outputs),
                      [&](ins::client& c) -> asio::awaitable<void> {
                          u = co_await c.create<UserInfo>(john());
                      });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(m2.requests().size(), 2u);
    auto second = json::parse(m2.requests()[1].body).as_object();
    auto const& msgs = second.at("messages").as_array();
    EXPECT_EQ(msgs.at(msgs.size() - 2).at("role"), "assistant");
    EXPECT_NE(json::serialize(msgs.back()).find("age"), std::string::npos);
}

}  // namespace anthropic_test
