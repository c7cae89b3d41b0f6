// create<T>() through the public API against the mock endpoint over loopback.
#include "async_test.hpp"
#include "mock_client.hpp"
#include "models.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace client_test {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace models;
using instructor::testing::mock_reply;
using instructor::testing::mock_server;
using namespace std::chrono_literals;

namespace {

constexpr char const* secret = "sk-client-test-secret-42";

ins::client_options options_for(mock_server const& m, ins::mode mode = ins::mode::tools)
{
    return test::mock_options(m, mode, secret);
}

ins::request john(int max_retries = 3)
{
    return ins::request{.model = "user-info-extraction-agent/gpt-4o-mini-latest",
                        .messages = {ins::message::user("John Doe is 32 years old.")},
                        .max_retries = max_retries};
}

json::object body_of(mock_server const& m, std::size_t i)
{
    return json::parse(m.requests().at(i).body).as_object();
}

template <class Body>
std::optional<ins::error> with_client(ins::client_options const& o, Body body)
{
    return test::with<ins::client>(o, std::move(body));
}

std::string bad_user_args = R"({"name":"John Doe","age":"thirty"})";


}  // namespace

// ---- every mode ----------------------------------------------------------------------------------

class EveryMode : public ::testing::TestWithParam<ins::mode> {};

TEST_P(EveryMode, ExtractsTheSeedUser)
{
    mock_server m;
    auto err = with_client(options_for(m, GetParam()), [&](ins::client& c) -> asio::awaitable<void> {
        UserInfo u = co_await c.create<UserInfo>(john());
        EXPECT_EQ(u.name, "John Doe");
        EXPECT_EQ(u.age, 32);
    });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(m.requests().size(), 1u);
    auto body = body_of(m, 0);
    EXPECT_EQ(body.at("model"), "user-info-extraction-agent/gpt-4o-mini-latest");
    switch (GetParam()) {
    case ins::mode::tools:
    case ins::mode::tools_strict: {
        auto const& fn = body.at("tools").at(0).at("function");
        EXPECT_EQ(fn.at("name"), "UserInfo");
        EXPECT_EQ(fn.at("description"),
                  "Correctly extracted `UserInfo` with all the required parameters with correct types");
        EXPECT_FALSE(fn.at("parameters").as_object().contains("title"));
        EXPECT_EQ(json::serialize(body.at("tool_choice")),
                  R"({"type":"function","function":{"name":"UserInfo"}})");
        if (GetParam() == ins::mode::tools_strict) {
            EXPECT_EQ(fn.at("strict"), true);
            EXPECT_EQ(fn.at("parameters").at("additionalProperties"), false);
        }
        else {
            EXPECT_FALSE(fn.as_object().contains("strict"));
        }
        EXPECT_FALSE(body.contains("response_format"));
        break;
    }
    case ins::mode::json:
    case ins::mode::md_json: {
        auto const& sys = body.at("messages").at(0);
        EXPECT_EQ(sys.at("role"), "system");
        std::string text(sys.at("content").as_string());
        EXPECT_TRUE(text.starts_with("As a genius expert, your task is to understand the content and "
                                     "provide the parsed objects in json that match the following "
                                     "json_schema:\n\n{"));
        EXPECT_TRUE(text.ends_with("Make sure to return an instance of the JSON, not the schema itself"));
        if (GetParam() == ins::mode::json) {
            EXPECT_EQ(json::serialize(body.at("response_format")), R"({"type":"json_object"})");
        }
        else {
            EXPECT_FALSE(body.contains("response_format"));
            auto const& msgs = body.at("messages").as_array();
            // merged into the user's message, as Python Instructor does
            EXPECT_EQ(msgs.back().at("content"),
                      "John Doe is 32 years old.\n\nReturn the correct JSON response within a "
                      "```json codeblock. not the JSON_SCHEMA");
        }
        break;
    }
    case ins::mode::json_schema: {
        auto const& rf = body.at("response_format");
        EXPECT_EQ(rf.at("type"), "json_schema");
        EXPECT_EQ(rf.at("json_schema").at("name"), "UserInfo");
        EXPECT_FALSE(rf.at("json_schema").as_object().contains("strict"));
        break;
    }
    case ins::mode::structured_outputs: {
        auto const& js = body.at("response_format").at("json_schema");
        EXPECT_EQ(js.at("strict"), true);
        EXPECT_EQ(js.at("schema").at("additionalProperties"), false);
        break;
    }
    default: break;
    }
    auto const reqs = m.requests();  // find_header views into it
    auto auth = ins::net::find_header(reqs[0].headers, "authorization");
    EXPECT_EQ(auth, std::string("Bearer ") + secret);
}

INSTANTIATE_TEST_SUITE_P(Client, EveryMode,
                         ::testing::Values(ins::mode::tools, ins::mode::tools_strict, ins::mode::json,
                                           ins::mode::json_schema, ins::mode::md_json,
                                           ins::mode::structured_outputs),
                         [](auto const& param_info) { return std::string(ins::to_string(param_info.param)); });

TEST(Client, LegacyJsonSchemaShape)
{
    mock_server m;
    auto o = options_for(m, ins::mode::json_schema);
    o.legacy_json_schema_format = true;
    EXPECT_FALSE(with_client(o, [&](ins::client& c) -> asio::awaitable<void> {
        EXPECT_EQ((co_await c.create<UserInfo>(john())).age, 32);
    }));
    auto const first = body_of(m, 0);
    auto const& rf = first.at("response_format");
    EXPECT_EQ(rf.at("type"), "json_object");
    EXPECT_EQ(rf.at("schema").at("type"), "object");
}

TEST(Client, ParallelToolsDispatchesEveryCallByName)
{
    mock_server m;
    m.push(mock_reply::json(json::serialize(ins::testing::chat_completion(
        {{"role", "assistant"},
         {"content", nullptr},
         {"tool_calls", json::array{
              json::object{{"id", "c1"}, {"type", "function"},
                           {"function", {{"name", "Weather"}, {"arguments", R"({"city":"Paris"})"}}}},
              json::object{{"id", "c2"}, {"type", "function"},
                           {"function", {{"name", "Search"}, {"arguments", R"({"query":"news"})"}}}},
              json::object{{"id", "c3"}, {"type", "function"},
                           {"function", {{"name", "Weather"}, {"arguments", R"({"city":"Oslo"})"}}}}}}},
        "tool_calls"))));
    EXPECT_FALSE(with_client(options_for(m, ins::mode::parallel_tools), [&](ins::client& c) -> asio::awaitable<void> {
        auto calls = co_await c.create<std::vector<std::variant<Weather, Search>>>(john());
        EXPECT_EQ(calls.size(), 3u);
        if (calls.size() != 3)
            co_return;
        EXPECT_EQ(std::get<Weather>(calls[0]).city, "Paris");
        EXPECT_EQ(std::get<Search>(calls[1]).query, "news");
        EXPECT_EQ(std::get<Weather>(calls[2]).city, "Oslo");
    }));
    auto body = body_of(m, 0);
    EXPECT_EQ(body.at("tool_choice"), "auto");
    EXPECT_EQ(body.at("tools").as_array().size(), 2u);
}

// ---- re-asks -------------------------------------------------------------------------------------

TEST(Client, ToolsModeReasksWithTheValidationErrors)
{
    mock_server m;
    m.push(mock_reply::chat_tool_call("UserInfo", bad_user_args));
    ins::request req = john();
    auto const before = req.messages.size();
    EXPECT_FALSE(with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto [u, completion] = co_await c.create_with_completion<UserInfo>(req);
        EXPECT_EQ(u.age, 32);
        EXPECT_EQ(completion.attempts, 2);
        EXPECT_EQ(completion.total_usage.total_tokens,
                  20 + completion.raw.at("usage").at("total_tokens").as_int64());
        EXPECT_EQ(completion.endpoint, m.base_url());
    }));
    EXPECT_EQ(req.messages.size(), before);  // the caller's request is untouched
    ASSERT_EQ(m.requests().size(), 2u);
    auto const second = body_of(m, 1);
    auto const& msgs = second.at("messages").as_array();
    ASSERT_EQ(msgs.size(), 3u);
    EXPECT_EQ(msgs[1].at("role"), "assistant");
    EXPECT_EQ(msgs[1].at("tool_calls").at(0).at("function").at("arguments").as_string(), bad_user_args);
    EXPECT_EQ(msgs[2].at("role"), "tool");
    EXPECT_EQ(msgs[2].at("tool_call_id"), "call_mock_1");
    EXPECT_EQ(msgs[2].at("name"), "UserInfo");
    EXPECT_EQ(msgs[2].at("content"),
              "Validation Error found:\nage: Input should be a valid integer, got \"thirty\" (string)\n"
              "Recall the function correctly, fix the errors");
}

TEST(Client, JsonModeReasksWithAUserMessage)
{
    mock_server m;
    m.push(mock_reply::chat_content(R"({"name":"John Doe"})"));
    EXPECT_FALSE(with_client(options_for(m, ins::mode::json), [&](ins::client& c) -> asio::awaitable<void> {
        EXPECT_EQ((co_await c.create<UserInfo>(john())).age, 32);
    }));
    auto const second = body_of(m, 1);
    auto const& msgs = second.at("messages").as_array();
    EXPECT_EQ(msgs[msgs.size() - 2].at("role"), "assistant");
    EXPECT_EQ(msgs[msgs.size() - 2].at("content"), R"({"name":"John Doe"})");
    EXPECT_EQ(msgs.back().at("content"),
              "Correct your JSON ONLY RESPONSE, based on the following errors:\nage: Field required");
}

TEST(Client, MissingToolCallIsReasked)
{
    mock_server m;
    m.push(mock_reply::chat_content("I think the user is John."));
    EXPECT_FALSE(with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        EXPECT_EQ((co_await c.create<UserInfo>(john())).name, "John Doe");
    }));
    EXPECT_EQ(m.requests().size(), 2u);
}

TEST(Client, SemanticValidationIsReasked)
{
    mock_server m;
    m.push(mock_reply::chat_tool_call("Signup", R"({"email":"nope","password":"a","confirm":"a"})"));
    EXPECT_FALSE(with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto s = co_await c.create<Signup>(john());
        EXPECT_NE(s.email.find('@'), std::string::npos);
    }));
    auto const second = body_of(m, 1);
    auto const& msgs = second.at("messages").as_array();
    EXPECT_NE(std::string(msgs.back().at("content").as_string()).find("email: Invalid email"),
              std::string::npos);
}

TEST(Client, ExhaustedReasksGiveEveryAttempt)
{
    mock_server m;
    for (int i = 0; i < 4; ++i)
        m.push(mock_reply::chat_tool_call("UserInfo", bad_user_args));
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(john(3));
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::validation_failed);
    EXPECT_EQ(err->attempts, 4);
    EXPECT_EQ(err->failed_attempts.size(), 4u);
    EXPECT_EQ(err->failed_attempts[3].number, 4);
    EXPECT_EQ(err->total_usage.total_tokens, 80u);
    ASSERT_EQ(err->issues.size(), 1u);
    EXPECT_EQ(err->issues[0].path, "age");
    EXPECT_TRUE(err->last_completion.is_object());
    EXPECT_EQ(m.requests().size(), 4u);
}

TEST(Client, TruncationRefusalAndFilterAreNotReasked)
{
    struct row {
        mock_reply reply;
        ins::errc code;
    };
    for (auto& [reply, code] :
         std::vector<row>{{mock_reply::chat_content(R"({"name":"Jo)", "length"), ins::errc::output_truncated},
                          {mock_reply::chat_refusal("I can't help with that."), ins::errc::refusal},
                          {mock_reply::chat_content("", "content_filter"), ins::errc::content_filtered}}) {
        mock_server m;
        m.push(reply);
        auto err = with_client(options_for(m, ins::mode::json), [&](ins::client& c) -> asio::awaitable<void> {
            co_await c.create<UserInfo>(john());
        });
        ASSERT_TRUE(err);
        EXPECT_EQ(err->code(), code);
        EXPECT_EQ(err->attempts, 1);
        EXPECT_EQ(err->total_usage.total_tokens, 20u);
        EXPECT_EQ(m.requests().size(), 1u);
    }
}

TEST(Client, ApiErrorsAreNeverEchoedIntoThePrompt)
{
    mock_server m;
    m.push(mock_reply::error(400, "Invalid schema for function 'UserInfo'"));
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(john());
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::bad_request);
    EXPECT_EQ(err->http_status, 400);
    EXPECT_EQ(m.requests().size(), 1u);
}

TEST(Client, NetworkRetriesAreNotAttempts)
{
    mock_server m;
    m.push(mock_reply::error(503, "busy", {{"retry-after-ms", "5"}}));
    EXPECT_FALSE(with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto [u, completion] = co_await c.create_with_completion<UserInfo>(john());
        EXPECT_EQ(completion.attempts, 1);
    }));
    EXPECT_EQ(m.requests().size(), 2u);
}

// ---- hooks ---------------------------------------------------------------------------------------

TEST(Client, HooksSeeEveryEventInOrderAndNeverTheKey)
{
    mock_server m;
    m.push(mock_reply::chat_tool_call("UserInfo", bad_user_args));
    std::vector<std::string> seen;
    std::string everything;
    auto record = [&](std::string tag) {
        return [&, tag](ins::hook_event const& e) {
            seen.push_back(tag + std::to_string(e.attempt) + (e.is_last_attempt ? "!" : ""));
            if (e.request_body)
                everything += json::serialize(*e.request_body);
            if (e.response)
                everything += json::serialize(*e.response);
        };
    };
    EXPECT_FALSE(with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        c.on(ins::hook::completion_kwargs, record("kwargs"));
        c.on(ins::hook::completion_response, record("response"));
        c.on(ins::hook::completion_usage, record("usage"));
        c.on(ins::hook::parse_error, record("parse"));
        c.on(ins::hook::completion_kwargs, [](auto const&) { throw std::runtime_error("ignored"); });
        auto req = john(1);
        req.call_hooks.on(ins::hook::completion_response, record("call-response"));
        co_await c.create<UserInfo>(req);
    }));
    EXPECT_EQ(seen, (std::vector<std::string>{"kwargs1", "response1", "call-response1", "usage1",
                                              "parse1", "kwargs2!", "response2!", "call-response2!",
                                              "usage2!"}));
    EXPECT_EQ(everything.find(secret), std::string::npos);
}

TEST(Client, OffRemovesAHandlerFromLaterCallsAndOnlyThatOne)
{
    mock_server m;
    std::vector<std::string> seen;
    EXPECT_FALSE(with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto const a = c.on(ins::hook::completion_usage, [&](auto const&) { seen.push_back("a"); });
        auto const b = c.on(ins::hook::completion_usage, [&](auto const&) { seen.push_back("b"); });
        EXPECT_NE(a, b);
        co_await c.create<UserInfo>(john());
        EXPECT_TRUE(c.off(a));
        EXPECT_FALSE(c.off(a));  // removed already
        // A call's own set numbers its handlers apart: its id removes nothing of the client's.
        ins::request req = john();
        auto const own = req.call_hooks.on(ins::hook::completion_usage, [&](auto const&) { seen.push_back("own"); });
        EXPECT_FALSE(c.off(own));
        co_await c.create<UserInfo>(req);
        auto copy = c;  // copies share the handlers
        EXPECT_TRUE(copy.off(b));
        co_await c.create<UserInfo>(john());
    }));
    EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "b", "own"}));
}

TEST(Client, LastAttemptAndErrorHooks)
{
    mock_server m;
    m.push(mock_reply::chat_tool_call("UserInfo", bad_user_args));
    m.push(mock_reply::error(401, std::string("Incorrect API key provided: ") + secret));
    std::vector<std::string> seen;
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        c.on(ins::hook::completion_error, [&](ins::hook_event const& e) {
            seen.push_back("error" + std::to_string(e.attempt));
            EXPECT_EQ(std::string(e.error->what()).find(secret), std::string::npos);
        });
        co_await c.create<UserInfo>(john());
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::authentication_failed);
    EXPECT_EQ(err->attempts, 2);
    EXPECT_EQ(err->failed_attempts.size(), 1u);
    EXPECT_EQ(seen, (std::vector<std::string>{"error2"}));

    mock_server m2;
    m2.push(mock_reply::chat_tool_call("UserInfo", bad_user_args));
    int last = 0;
    err = with_client(options_for(m2), [&](ins::client& c) -> asio::awaitable<void> {
        c.on(ins::hook::completion_last_attempt, [&](ins::hook_event const& e) {
            ++last;
            EXPECT_EQ(e.error->code(), ins::errc::validation_failed);
            EXPECT_EQ(e.issues.size(), 1u);
        });
        co_await c.create<UserInfo>(john(0));
    });
    EXPECT_EQ(last, 1);
}

// ---- configuration, deadlines, fallbacks, concurrency ---------------------------------------------

TEST(Client, ExtraBodyIsMergedLastAndMessagesMayBeEmpty)
{
    mock_server m;
    EXPECT_FALSE(with_client(options_for(m, ins::mode::structured_outputs), [&](ins::client& c) -> asio::awaitable<void> {
        ins::request req;
        req.model = "user-info-extraction-agent/#1/production";
        req.temperature = 0.2;
        req.extra_body = json::object{{"input", {{"email_address", "steve@apple.com"}}},
                                      {"temperature", 0.0}};
        co_await c.create<UserInfo>(req);
    }));
    auto body = body_of(m, 0);
    EXPECT_EQ(body.at("model"), "user-info-extraction-agent/#1/production");
    EXPECT_TRUE(body.at("messages").as_array().empty());
    EXPECT_EQ(body.at("input").at("email_address"), "steve@apple.com");
    EXPECT_EQ(body.at("temperature").to_number<double>(), 0.0);
}

TEST(Client, DeadlineBoundsTheWholeCall)
{
    mock_server m;
    auto slow = mock_reply::chat_tool_call("UserInfo", bad_user_args);
    slow.delay = 300ms;
    for (int i = 0; i < 4; ++i)
        m.push(slow);
    auto start = std::chrono::steady_clock::now();
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto req = john(3);
        req.deadline = std::chrono::steady_clock::now() + 500ms;
        co_await c.create<UserInfo>(req);
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::timeout);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
    EXPECT_GE(err->attempts, 1);
}

TEST(Client, PerAttemptTimeout)
{
    mock_server m;
    auto slow = mock_reply::chat_tool_call("UserInfo", R"({"name":"a","age":1})");
    slow.delay = 2s;
    m.push(slow);
    auto o = options_for(m);
    o.max_network_retries = 0;  // a timed-out attempt would otherwise be retried (and answered)
    auto err = with_client(o, [&](ins::client& c) -> asio::awaitable<void> {
        auto req = john();
        req.timeout = 200ms;
        co_await c.create<UserInfo>(req);
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::timeout);
}

TEST(Client, FallsBackToTheNextEndpoint)
{
    std::uint16_t dead_port;
    {
        mock_server gone;
        dead_port = gone.port();
    }
    mock_server backup;
    auto o = options_for(backup);
    o.base_url = "http://127.0.0.1:" + std::to_string(dead_port) + "/v1";
    o.max_network_retries = 0;
    o.fallbacks = {{backup.base_url(), "sk-backup", "backup-model"}};
    int errors = 0;
    EXPECT_FALSE(with_client(o, [&](ins::client& c) -> asio::awaitable<void> {
        c.on(ins::hook::completion_error, [&](auto const&) { ++errors; });
        auto [u, completion] = co_await c.create_with_completion<UserInfo>(john());
        EXPECT_EQ(u.age, 32);
        EXPECT_EQ(completion.endpoint, backup.base_url());
    }));
    EXPECT_EQ(errors, 1);
    EXPECT_EQ(body_of(backup, 0).at("model"), "backup-model");
    auto const reqs = backup.requests();
    EXPECT_EQ(ins::net::find_header(reqs[0].headers, "authorization"),
              std::string("Bearer sk-backup"));
}

TEST(Client, ManyCallsInFlightOnOneThread)
{
    mock_server m;
    int ok = 0;
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        ins::client c(ex, options_for(m));
        int done = 0;
        for (int i = 0; i < 50; ++i)
            asio::co_spawn(ex, c.create<UserInfo>(john()), [&](std::exception_ptr e, UserInfo u) {
                ok += !e && u.age == 32;
                ++done;
            });
        asio::steady_timer t(ex);
        while (done < 50) {
            t.expires_after(5ms);
            co_await t.async_wait(asio::use_awaitable);
        }
    });
    EXPECT_EQ(ok, 50);
}

TEST(Client, SharedAcrossAThreadPoolWithFutures)
{
    mock_server m;
    asio::thread_pool pool(4);
    ins::client c(pool.get_executor(), options_for(m));
    std::vector<std::future<UserInfo>> futures;
    for (int i = 0; i < 40; ++i)
        futures.push_back(c.async_create<UserInfo>(john(), asio::use_future));
    for (auto& f : futures) {
        ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
        EXPECT_EQ(f.get().name, "John Doe");
    }
    pool.join();
    EXPECT_EQ(m.requests().size(), 40u);
}

TEST(Client, CancellationStopsTheCall)
{
    mock_server m;
    auto slow = mock_reply::chat_tool_call("UserInfo", R"({"name":"a","age":1})");
    slow.delay = 5s;
    m.push(slow);
    asio::io_context ioc;
    ins::client c(ioc.get_executor(), options_for(m));
    asio::cancellation_signal cancel;
    std::optional<ins::errc> code;
    c.async_create<UserInfo>(john(), asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, UserInfo) {
        code = test::errc_of(e);
    }));
    asio::steady_timer t(ioc, 100ms);
    t.async_wait([&](auto) { cancel.emit(asio::cancellation_type::terminal); });
    ioc.run_for(5s);
    EXPECT_EQ(code, ins::errc::cancelled);
}

TEST(Client, BadConfigurationFailsEarly)
{
    asio::io_context ioc;
    auto code_of = [&](auto f) -> std::optional<ins::errc> {
        try {
            f();
        }
        catch (ins::error const& e) {
            return e.code_enum();
        }
        return std::nullopt;
    };
    EXPECT_EQ(code_of([&] {
                  ins::client_options bad;
                  bad.base_url = "nonsense";
                  ins::client c(ioc.get_executor(), bad);
              }),
              ins::errc::invalid_argument);
    mock_server m;
    auto o = options_for(m);
    o.default_model.clear();
    auto err = with_client(o, [&](ins::client& c) -> asio::awaitable<void> {
        ins::request r;
        r.messages.push_back(ins::message::user("x"));
        co_await c.create<UserInfo>(r);
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::invalid_argument);
    EXPECT_TRUE(m.requests().empty());
}

// ---- providers -----------------------------------------------------------------------------------

TEST(Providers, FromProviderReadsKeyAndUrlFromTheEnvironment)
{
    mock_server m;
    ::setenv("GROQ_API_KEY", "gsk-test", 1);
    ::setenv("GROQ_BASE_URL", m.base_url().c_str(), 1);
    asio::io_context ioc;
    auto c = ins::from_provider(ioc.get_executor(), "groq/llama-3.3-70b-versatile");
    EXPECT_EQ(c.options().default_model, "llama-3.3-70b-versatile");
    EXPECT_FALSE(with_client(c.options(), [&](ins::client& cl) -> asio::awaitable<void> {
        ins::request r;
        r.messages.push_back(ins::message::user("John Doe is 32 years old."));
        EXPECT_EQ((co_await cl.create<UserInfo>(r)).age, 32);
    }));
    EXPECT_EQ(body_of(m, 0).at("model"), "llama-3.3-70b-versatile");
    ::unsetenv("GROQ_API_KEY");
    ::unsetenv("GROQ_BASE_URL");
}

TEST(Providers, UnknownProviderAndMissingKey)
{
    asio::io_context ioc;
    try {
        ins::from_provider(ioc.get_executor(), "acme/model-1");
        FAIL();
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code(), ins::errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("openai, workflowai, anyscale, together, groq, "
                                             "openrouter, ollama, gemini, mistral"),
                  std::string::npos);
    }
    ::unsetenv("MISTRAL_API_KEY");
    try {
        ins::from_provider(ioc.get_executor(), "mistral/mistral-large");
        FAIL();
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code(), ins::errc::missing_api_key);
    }
    // ollama needs no key; WorkflowAI's agent/model form passes through whole
    EXPECT_EQ(ins::from_provider(ioc.get_executor(), "ollama/llama3").options().api_key, "");
    ::setenv("WORKFLOWAI_API_KEY", "wai-test", 1);
    auto w = ins::from_provider(ioc.get_executor(), "workflowai/user-info-extraction-agent/gpt-4o");
    EXPECT_EQ(w.options().default_model, "user-info-extraction-agent/gpt-4o");
    EXPECT_EQ(w.options().mode, ins::mode::structured_outputs);
    ::unsetenv("WORKFLOWAI_API_KEY");
}

TEST(Providers, FromEnvPrefersOpenAiThenWorkflowAi)
{
    asio::io_context ioc;
    ::unsetenv("OPENAI_API_KEY");
    ::unsetenv("WORKFLOWAI_API_KEY");
    try {
        ins::from_env(ioc.get_executor());
        FAIL();
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code(), ins::errc::missing_api_key);
    }
    ::setenv("WORKFLOWAI_API_KEY", "wai", 1);
    ::setenv("WORKFLOWAI_API_URL", "http://127.0.0.1:1/v1", 1);
    EXPECT_EQ(ins::from_env(ioc.get_executor()).options().base_url, "http://127.0.0.1:1/v1");
    EXPECT_EQ(ins::from_env(ioc.get_executor()).options().mode, ins::mode::structured_outputs);
    ::setenv("OPENAI_API_KEY", "sk", 1);
    EXPECT_EQ(ins::from_env(ioc.get_executor()).options().base_url, "https://api.openai.com/v1");
    ::unsetenv("OPENAI_API_KEY");
    ::unsetenv("WORKFLOWAI_API_KEY");
    ::unsetenv("WORKFLOWAI_API_URL");
}

TEST(Providers, DotEnvFileFillsWhatTheEnvironmentLacks)
{
    auto dir = std::filesystem::temp_directory_path() / ("ins-dotenv-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto old = std::filesystem::current_path();
    std::filesystem::current_path(dir);
    {
        std::ofstream(".env") << "# comment\nexport TOGETHER_API_KEY=\"tg-from-dotenv\"\n"
                                 "TOGETHER_BASE_URL=http://127.0.0.1:9/v1\n";
    }
    ::unsetenv("TOGETHER_API_KEY");
    ::unsetenv("TOGETHER_BASE_URL");
    asio::io_context ioc;
    std::string key, url;
    try {
        auto c = ins::from_provider(ioc.get_executor(), "together/meta-llama/Llama-3.3-70B");
        key = c.options().api_key;
        url = c.options().base_url;
    }
    catch (...) {
    }
    std::filesystem::current_path(old);
    std::filesystem::remove_all(dir);
    EXPECT_EQ(key, "tg-from-dotenv");
    EXPECT_EQ(url, "http://127.0.0.1:9/v1");
}

TEST(Providers, AKeyFromTheEnvironmentNeverGoesToAUrlOnlyTheDotEnvNames)
{
    auto dir = std::filesystem::temp_directory_path() / ("ins-dotenv-src-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto old = std::filesystem::current_path();
    std::filesystem::current_path(dir);
    {
        std::ofstream(".env") << "GROQ_BASE_URL=http://attacker.invalid/v1\n"
                                 "MISTRAL_API_KEY=from-dotenv\nMISTRAL_BASE_URL=http://127.0.0.1:7/v1\n";
    }
    ::setenv("GROQ_API_KEY", "gsk-real-environment-key", 1);
    ::unsetenv("GROQ_BASE_URL");
    ::unsetenv("MISTRAL_API_KEY");
    ::unsetenv("MISTRAL_BASE_URL");
    asio::io_context ioc;
    std::string groq_url, mistral_url, mistral_key;
    try {
        groq_url = ins::from_provider(ioc.get_executor(), "groq/llama").options().base_url;
        auto m = ins::from_provider(ioc.get_executor(), "mistral/small");
        mistral_url = m.options().base_url;
        mistral_key = m.options().api_key;
    }
    catch (...) {
    }
    std::filesystem::current_path(old);
    std::filesystem::remove_all(dir);
    ::unsetenv("GROQ_API_KEY");
    EXPECT_EQ(groq_url, "https://api.groq.com/openai/v1");  // the .env URL is not the key's source
    EXPECT_EQ(mistral_key, "from-dotenv");                  // both from .env: used together
    EXPECT_EQ(mistral_url, "http://127.0.0.1:7/v1");
}

TEST(Providers, AnyscaleAndTogetherGetTheLegacyJsonSchemaShape)
{
    ::setenv("ANYSCALE_API_KEY", "as", 1);
    ::setenv("TOGETHER_API_KEY", "tg", 1);
    ::setenv("OPENAI_API_KEY", "sk", 1);
    asio::io_context ioc;
    EXPECT_TRUE(ins::from_provider(ioc.get_executor(), "anyscale/m").options().legacy_json_schema_format);
    EXPECT_TRUE(ins::from_provider(ioc.get_executor(), "together/m").options().legacy_json_schema_format);
    EXPECT_FALSE(ins::from_provider(ioc.get_executor(), "openai/m").options().legacy_json_schema_format);
    ::unsetenv("ANYSCALE_API_KEY");
    ::unsetenv("TOGETHER_API_KEY");
    ::unsetenv("OPENAI_API_KEY");
}

}  // namespace client_test
