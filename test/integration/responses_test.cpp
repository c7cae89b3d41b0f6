// The OpenAI Responses API modes against the mock endpoint, over HTTP and HTTPS: calls,
// partials and iterables, re-asks with function_call_output items, finish reasons, and the
// stream paths the call core shares with every wire (fallback, deadline).
#include "mock_client.hpp"
#include "async_test.hpp"
#include "models.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

namespace responses_test {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace models;
using namespace std::chrono_literals;
using instructor::testing::mock_reply;
using instructor::testing::mock_server;

namespace {

constexpr char const* key = "sk-responses-test-key-42";
std::string const bad_args = R"({"name":"John Doe","age":"thirty-two"})";

ins::client_options responses(mock_server const& m, ins::mode mode = ins::mode::responses_tools)
{
    auto o = test::mock_options(m, mode, key);
    o.default_model = "gpt-4.1-mini";
    return o;
}

ins::request john(int max_retries = 3)
{
    ins::request r;
    r.messages.push_back(ins::message::system("Extract the user."));
    r.messages.push_back(ins::message::user("John Doe is 32 years old."));
    r.max_retries = max_retries;
    return r;
}

template <class Body>
std::optional<ins::error> with_client(ins::client_options const& o, Body body)
{
    return test::with<ins::client>(o, std::move(body));
}

json::object body_of(mock_server const& m, std::size_t i)
{
    return json::parse(m.requests().at(i).body).as_object();
}

json::object streamed(mock_reply const& whole)
{
    return json::parse(whole.body).as_object();
}

constexpr ins::mode both_modes[] = {ins::mode::responses_tools,
                                    ins::mode::responses_structured_outputs};

}  // namespace

TEST(Responses, CallsInBothModesOverHttpAndHttps)
{
    for (bool tls : {false, true}) {
        mock_server m({.tls = tls});
        for (auto mode : both_modes) {
            SCOPED_TRACE(std::string(ins::to_string(mode)) + (tls ? " https" : " http"));
            auto err = with_client(responses(m, mode), [&](ins::client& c) -> asio::awaitable<void> {
                auto [u, completion] = co_await c.create_with_completion<UserInfo>(john());
                EXPECT_EQ(u.name, "John Doe");
                EXPECT_EQ(u.age, 32);
                EXPECT_EQ(completion.attempts, 1);
                EXPECT_GT(completion.total_usage.prompt_tokens, 0u);
                EXPECT_GT(completion.total_usage.completion_tokens, 0u);
                EXPECT_EQ(completion.raw.at("object"), "response");
            });
            ASSERT_FALSE(err) << err->what();
        }
        auto const reqs = m.requests();
        ASSERT_EQ(reqs.size(), 2u);
        EXPECT_EQ(reqs[0].target, "/v1/responses");
        EXPECT_EQ(ins::net::find_header(reqs[0].headers, "authorization"),
                  std::string("Bearer ") + key);
        auto const tools = body_of(m, 0);
        EXPECT_EQ(tools.at("model"), "gpt-4.1-mini");
        EXPECT_EQ(tools.at("input").at(0).at("role"), "system");
        EXPECT_EQ(tools.at("tools").at(0).at("name"), "UserInfo");
        EXPECT_EQ(json::serialize(tools.at("tool_choice")), R"({"type":"function","name":"UserInfo"})");
        auto const text = body_of(m, 1);
        EXPECT_EQ(text.at("text").at("format").at("type"), "json_schema");
        EXPECT_EQ(text.at("text").at("format").at("strict"), true);
        EXPECT_FALSE(text.contains("tools"));
    }
}

TEST(Responses, ReaskSendsTheFunctionCallAndItsOutput)
{
    mock_server m;
    m.push(mock_reply::response_function_call("UserInfo", bad_args));
    std::vector<std::string> hooks;
    auto err = with_client(responses(m), [&](ins::client& c) -> asio::awaitable<void> {
        c.on(ins::hook::parse_error, [&](ins::hook_event const& e) {
            hooks.push_back("parse" + std::to_string(e.attempt) + " " + e.endpoint);
        });
        auto [u, completion] = co_await c.create_with_completion<UserInfo>(john());
        EXPECT_EQ(u.age, 32);
        EXPECT_EQ(completion.attempts, 2);
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(hooks, (std::vector<std::string>{"parse1 " + m.base_url()}));
    auto const input = body_of(m, 1).at("input").as_array();
    ASSERT_EQ(input.size(), 4u);
    EXPECT_EQ(input[2].at("type"), "function_call");
    EXPECT_EQ(input[2].at("call_id"), "call_mock_1");
    EXPECT_EQ(input[2].at("arguments"), json::value(bad_args));
    EXPECT_EQ(input[3].at("type"), "function_call_output");
    EXPECT_EQ(input[3].at("call_id"), "call_mock_1");
    EXPECT_NE(std::string(input[3].at("output").as_string()).find("age: Input should be a valid integer"),
              std::string::npos);
}

TEST(Responses, StructuredOutputsReaskEchoesTheText)
{
    mock_server m;
    m.push(mock_reply::response_text(bad_args));
    auto err = with_client(responses(m, ins::mode::responses_structured_outputs),
                           [&](ins::client& c) -> asio::awaitable<void> {
                               EXPECT_EQ((co_await c.create<UserInfo>(john())).age, 32);
                           });
    ASSERT_FALSE(err) << err->what();
    auto const input = body_of(m, 1).at("input").as_array();
    ASSERT_EQ(input.size(), 4u);
    EXPECT_EQ(input[2].at("role"), "assistant");
    EXPECT_EQ(input[2].at("content"), json::value(bad_args));
    EXPECT_EQ(input[3].at("role"), "user");
}

TEST(Responses, IncompleteRefusalAndFailedMapToTheirErrors)
{
    struct row {
        mock_reply reply;
        ins::errc expected;
    };
    std::vector<row> rows{
        {mock_reply::response_incomplete("max_output_tokens", "{\"name\":"), ins::errc::output_truncated},
        {mock_reply::response_incomplete("content_filter"), ins::errc::content_filtered},
        {mock_reply::response_refusal("I can't help with that."), ins::errc::refusal},
        {mock_reply::json(R"({"object":"response","status":"failed","output":[],)"
                          R"("error":{"code":"server_error","message":"boom"}})"),
         ins::errc::server_error},
        {mock_reply::json(R"({"object":"chat.completion","choices":[]})"), ins::errc::protocol_error},
    };
    for (auto& r : rows) {
        for (bool stream : {false, true}) {
            mock_server m;
            bool const whole_only = r.expected == ins::errc::protocol_error;
            if (stream && whole_only)
                continue;
            m.push(stream ? mock_reply::response_stream(streamed(r.reply)) : r.reply);
            auto err = with_client(responses(m, ins::mode::responses_structured_outputs),
                                   [&](ins::client& c) -> asio::awaitable<void> {
                                       if (stream) {
                                           auto s = c.create_partial<UserInfo>(john());
                                           while (co_await s.next()) {
                                           }
                                       }
                                       else {
                                           co_await c.create<UserInfo>(john());
                                       }
                                   });
            ASSERT_TRUE(err);
            EXPECT_EQ(err->code(), r.expected) << err->what();
            EXPECT_EQ(m.requests().size(), 1u);  // none of them is re-asked
            EXPECT_FALSE(err->last_completion.is_null());
        }
    }
}

TEST(Responses, StreamsPartialsInBothModesOverHttpAndHttps)
{
    for (bool tls : {false, true}) {
        for (auto mode : both_modes) {
            SCOPED_TRACE(std::string(ins::to_string(mode)) + (tls ? " https" : " http"));
            mock_server m({.tls = tls, .stream_chunk_size = 3});
            auto err = with_client(responses(m, mode), [&](ins::client& c) -> asio::awaitable<void> {
                auto s = c.create_partial<UserInfo>(john());
                int n = 0;
                bool saw_name_first = false;
                std::optional<UserInfo> last;
                while (auto p = co_await s.next()) {
                    ++n;
                    if (!p->complete && p->has(&UserInfo::name) && !p->has(&UserInfo::age))
                        saw_name_first = true;
                    if (p->complete)
                        last = p->value;
                }
                EXPECT_GT(n, 3);
                EXPECT_TRUE(saw_name_first);
                EXPECT_TRUE(last && last->name == "John Doe" && last->age == 32);
                EXPECT_GT(s.total_usage().total_tokens, 0u);
            });
            ASSERT_FALSE(err) << err->what();
            EXPECT_EQ(body_of(m, 0).at("stream"), true);
        }
    }
}

TEST(Responses, StreamReasksWithFunctionCallOutput)
{
    mock_server m({.stream_chunk_size = 4});
    m.push(mock_reply::response_stream(streamed(mock_reply::response_function_call("UserInfo", bad_args)), 4));
    auto err = with_client(responses(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_partial<UserInfo>(john());
        bool restarted = false;
        std::optional<UserInfo> last;
        while (auto p = co_await s.next()) {
            restarted = restarted || p->restarted;
            if (p->complete) {
                last = p->value;
                EXPECT_EQ(p->attempt, 2);
            }
        }
        EXPECT_TRUE(restarted);
        EXPECT_TRUE(last && last->age == 32);
        EXPECT_EQ(s.attempts(), 2);
    });
    ASSERT_FALSE(err) << err->what();
    auto const input = body_of(m, 1).at("input").as_array();
    EXPECT_EQ(input.at(2).at("type"), "function_call");
    EXPECT_EQ(input.at(3).at("type"), "function_call_output");
}

TEST(Responses, IterablesInBothModesOverHttpAndHttps)
{
    for (auto [mode, tls] : {std::pair{ins::mode::responses_tools, false},
                             std::pair{ins::mode::responses_structured_outputs, false},
                             std::pair{ins::mode::responses_tools, true},
                             std::pair{ins::mode::responses_structured_outputs, true}}) {
        SCOPED_TRACE(std::string(ins::to_string(mode)) + (tls ? " https" : " http"));
        mock_server m({.tls = tls, .stream_chunk_size = 5});
        std::string const tasks =
            R"({"tasks":[{"name":"John Doe","age":32},{"name":"Jane Roe","age":28},{"name":"Max","age":5}]})";
        m.push(mode == ins::mode::responses_tools
                   ? mock_reply::response_stream(
                         streamed(mock_reply::response_function_call("IterableUserInfo", tasks)), 5)
                   : mock_reply::response_stream(streamed(mock_reply::response_text(tasks)), 5));
        auto err = with_client(responses(m, mode), [&](ins::client& c) -> asio::awaitable<void> {
            auto items = c.create_iterable<UserInfo>(john());
            std::vector<std::string> names;
            while (auto u = co_await items.next())
                names.push_back(u->name);
            EXPECT_EQ(names, (std::vector<std::string>{"John Doe", "Jane Roe", "Max"}));
        });
        ASSERT_FALSE(err) << err->what();
        auto const body = body_of(m, 0);
        if (mode == ins::mode::responses_tools)
            EXPECT_EQ(body.at("tools").at(0).at("name"), "IterableUserInfo");
        else
            EXPECT_EQ(body.at("text").at("format").at("name"), "IterableUserInfo");
    }
}

TEST(Responses, AStreamErrorEventEndsTheStreamRedacted)
{
    mock_server m;
    mock_reply r;
    r.content_type = "text/event-stream";
    r.body = "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{}}\n\n"
             "event: error\ndata: {\"type\":\"error\",\"code\":\"server_error\",\"message\":"
             "\"The server had an error\"}\n\n";
    m.push(r);
    auto err = with_client(responses(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_partial<UserInfo>(john());
        while (co_await s.next()) {
        }
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::server_error);
    EXPECT_EQ(err->provider_message, "The server had an error");
    EXPECT_EQ(err->attempts, 1);
}

// ---- what the call core now gives every stream ---------------------------------------------------

TEST(Responses, StreamsFallBackAndNameTheEndpointInHooks)
{
    std::uint16_t dead_port;
    {
        mock_server gone;
        dead_port = gone.port();
    }
    mock_server backup({.stream_chunk_size = 6});
    for (auto mode : {ins::mode::tools, ins::mode::anthropic_tools, ins::mode::responses_tools}) {
        SCOPED_TRACE(ins::to_string(mode));
        auto o = responses(backup, mode);
        o.base_url = "http://127.0.0.1:" + std::to_string(dead_port) + "/v1";
        o.max_network_retries = 0;
        o.fallbacks = {{backup.base_url(), "sk-backup", {}}};
        std::vector<std::string> endpoints;
        auto err = with_client(o, [&](ins::client& c) -> asio::awaitable<void> {
            for (auto h : {ins::hook::completion_kwargs, ins::hook::completion_error,
                           ins::hook::completion_response})
                c.on(h, [&](ins::hook_event const& e) { endpoints.push_back(e.endpoint); });
            auto s = c.create_partial<UserInfo>(john());
            std::optional<UserInfo> last;
            while (auto p = co_await s.next())
                if (p->complete)
                    last = p->value;
            EXPECT_TRUE(last && last->age == 32);
        });
        ASSERT_FALSE(err) << err->what();
        EXPECT_EQ(endpoints, (std::vector<std::string>{o.base_url, o.base_url, backup.base_url(),
                                                       backup.base_url()}));
    }
}

TEST(Responses, AStreamHonoursTheWholeCallDeadline)
{
    mock_server m;
    auto slow = mock_reply::response_stream(streamed(mock_reply::response_function_call(
                                                "UserInfo", R"({"name":"John Doe","age":32})")),
                                            2);
    slow.chunk_delay = 50ms;  // ~200 events: far longer than the deadline
    m.push(slow);
    auto err = with_client(responses(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto req = john();
        req.deadline = std::chrono::steady_clock::now() + 300ms;
        auto s = c.create_partial<UserInfo>(req);
        while (co_await s.next()) {
        }
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::timeout) << err->what();
}

TEST(Responses, CancellingNextEndsTheStreamWithCancelled)
{
    mock_server m;
    auto slow = mock_reply::response_stream(streamed(mock_reply::response_function_call(
                                                "UserInfo", R"({"name":"John Doe","age":32})")),
                                            2);
    slow.chunk_delay = 100ms;
    m.push(slow);
    std::optional<ins::error> err;
    int seen = 0;
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        ins::client c(ex, responses(m));
        auto s = c.create_partial<UserInfo>(john());
        asio::cancellation_signal cancel;
        asio::steady_timer timer(ex, 250ms);
        timer.async_wait([&](auto) { cancel.emit(asio::cancellation_type::terminal); });
        try {
            co_await asio::co_spawn(
                ex,
                [&]() -> asio::awaitable<void> {
                    while (co_await s.next())
                        ++seen;
                },
                asio::bind_cancellation_slot(cancel.slot(), asio::use_awaitable));
        }
        catch (ins::error const& e) {
            err = e;
        }
    });
    ASSERT_TRUE(err) << "the stream was not cancelled";
    EXPECT_EQ(err->code(), ins::errc::cancelled) << err->what();
}

}  // namespace responses_test
