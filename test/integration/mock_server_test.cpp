// The mock endpoint itself: default answers per wire format, concurrency, the command.
#include "async_test.hpp"
#include "mock_client.hpp"
#include "models.hpp"
#include "testing/mock_answers.hpp"

#include <instructor/error.hpp>
#include <instructor/instructor.hpp>
#include <instructor/net/http_client.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mock_server_test {

namespace asio = boost::asio;
namespace json = boost::json;
namespace net = instructor::net;
using instructor::testing::mock_reply;
using instructor::testing::mock_server;
using models::UserInfo;
using namespace std::chrono_literals;

namespace {

constexpr char const* schema =
    R"({"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"]})";

json::value post(mock_server const& m, std::string path, std::string body)
{
    json::value out;
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        net::http_client c(ex);
        net::http_request r;
        r.url = m.base_url() + path;
        r.body = std::move(body);
        out = json::parse((co_await c.send(r)).body);
    });
    return out;
}

json::value const expected = json::parse(R"({"name":"John Doe","age":32})");

}  // namespace

TEST(MockServer, ToolsModeAnswersWithTheForcedToolCall)
{
    mock_server m;
    auto v = post(m, "/chat/completions",
                  std::string(R"({"model":"gpt","messages":[{"role":"user","content":"John Doe is 32 years old."}],)") +
                      R"("tools":[{"type":"function","function":{"name":"Other","parameters":{}}},)" +
                      R"({"type":"function","function":{"name":"UserInfo","parameters":)" + schema +
                      R"(}}],"tool_choice":{"type":"function","function":{"name":"UserInfo"}}})");
    auto const& choice = v.at("choices").at(0);
    EXPECT_EQ(choice.at("finish_reason"), "tool_calls");
    auto const& calls = choice.at("message").at("tool_calls").as_array();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].at("function").at("name"), "UserInfo");
    EXPECT_EQ(json::parse(calls[0].at("function").at("arguments").as_string()), expected);
    EXPECT_EQ(v.at("model"), "gpt");
    EXPECT_GT(v.at("usage").at("prompt_tokens").as_int64(), 0);
}

TEST(MockServer, JsonModesAnswerWithContent)
{
    mock_server m;
    // json_schema response_format
    auto v = post(m, "/chat/completions",
                  std::string(R"({"messages":[{"role":"user","content":"John Doe is 32 years old."}],)") +
                      R"("response_format":{"type":"json_schema","json_schema":{"name":"UserInfo","schema":)" +
                      schema + "}}}");
    EXPECT_EQ(json::parse(v.at("choices").at(0).at("message").at("content").as_string()), expected);
    // json mode: the schema is in the system message
    v = post(m, "/chat/completions",
             std::string(R"({"messages":[{"role":"system","content":"match the following json_schema: )") +
                 json::serialize(json::string(schema)).substr(1, std::string(json::serialize(json::string(schema))).size() - 2) +
                 R"( Make sure to return an instance"},{"role":"user","content":"John Doe is 32 years old."}],)" +
                 R"("response_format":{"type":"json_object"}})");
    EXPECT_EQ(json::parse(v.at("choices").at(0).at("message").at("content").as_string()), expected);
}

TEST(MockServer, MdJsonAnswersWithAFencedBlock)
{
    mock_server m;
    auto body = json::object{
        {"messages", json::array{json::object{{"role", "system"}, {"content", std::string("json_schema: ") + schema}},
                                 json::object{{"role", "user"}, {"content", "John Doe is 32 years old."}},
                                 json::object{{"role", "user"},
                                              {"content", "Return the correct JSON response within a ```json codeblock. not the JSON_SCHEMA"}}}}};
    auto v = post(m, "/chat/completions", json::serialize(body));
    std::string content(v.at("choices").at(0).at("message").at("content").as_string());
    auto start = content.find("```json\n");
    ASSERT_NE(start, std::string::npos) << content;
    auto end = content.find("```", start + 8);
    EXPECT_EQ(json::parse(content.substr(start + 8, end - start - 8)), expected);
}

TEST(MockServer, AnthropicToolUse)
{
    mock_server m;
    auto v = post(m, "/messages",
                  std::string(R"({"model":"claude","max_tokens":100,"messages":[{"role":"user","content":"John Doe is 32 years old."}],)") +
                      R"("tools":[{"name":"UserInfo","input_schema":)" + schema +
                      R"(}],"tool_choice":{"type":"tool","name":"UserInfo"}})");
    EXPECT_EQ(v.at("type"), "message");
    EXPECT_EQ(v.at("stop_reason"), "tool_use");
    auto const& block = v.at("content").at(0);
    EXPECT_EQ(block.at("type"), "tool_use");
    EXPECT_EQ(block.at("input"), expected);
}

TEST(MockServer, BadRequestsGetProviderShapedErrors)
{
    mock_server m;
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        net::http_client c(ex);
        net::http_request r;
        r.url = m.base_url() + "/chat/completions";
        r.body = "not json";
        try {
            co_await c.send(r);
            ADD_FAILURE();
        }
        catch (instructor::error const& e) {
            EXPECT_EQ(e.code(), instructor::errc::bad_request);
        }
        r.url = m.base_url() + "/nowhere";
        r.body = "{}";
        try {
            co_await c.send(r);
            ADD_FAILURE();
        }
        catch (instructor::error const& e) {
            EXPECT_EQ(e.code(), instructor::errc::not_found);
        }
    });
}

TEST(MockServer, ResponsesApiAnswersInBothShapes)
{
    mock_server m;
    auto fc = post(m, "/responses",
                   std::string(R"({"model":"gpt-4.1","input":[{"role":"user","content":"John Doe is 32 years old."}],)") +
                       R"("tools":[{"type":"function","name":"UserInfo","parameters":)" + schema +
                       R"(}],"tool_choice":{"type":"function","name":"UserInfo"}})");
    EXPECT_EQ(fc.at("object"), "response");
    EXPECT_EQ(fc.at("status"), "completed");
    auto const& item = fc.at("output").at(0);
    EXPECT_EQ(item.at("type"), "function_call");
    EXPECT_EQ(json::parse(item.at("arguments").as_string()), expected);
    auto text = post(m, "/responses",
                     std::string(R"({"model":"gpt-4.1","input":[{"role":"user","content":"John Doe is 32 years old."}],)") +
                         R"("text":{"format":{"type":"json_schema","name":"UserInfo","strict":true,"schema":)" +
                         schema + "}}}");
    auto const& part = text.at("output").at(0).at("content").at(0);
    EXPECT_EQ(part.at("type"), "output_text");
    EXPECT_EQ(json::parse(part.at("text").as_string()), expected);
    EXPECT_GT(text.at("usage").at("input_tokens").as_int64(), 0);
}

// The SDKs' usual Responses form: `input` a plain string, the schema in `instructions`.
TEST(MockServer, ResponsesReadAStringInputAndInstructions)
{
    mock_server m;
    auto text = post(m, "/responses",
                     R"({"model":"gpt-4.1","input":"John Doe is 32 years old.","instructions":)" +
                         json::serialize(json::value(std::string("Answer with JSON matching ") + schema)) + "}");
    auto const& part = text.at("output").at(0).at("content").at(0);
    EXPECT_EQ(json::parse(part.at("text").as_string()), expected);
}

// Anthropic's paths speak Anthropic's errors (its overload is 529); OpenAI's paths OpenAI's.
TEST(MockServer, ErrorsAreInTheShapeOfTheirApi)
{
    namespace mock = instructor::testing;
    auto const anthropic = json::parse(mock::error_for("/v1/messages", 429, "slow down").body);
    EXPECT_EQ(anthropic.at("type"), "error");
    EXPECT_EQ(anthropic.at("error").at("type"), "rate_limit_error");
    EXPECT_EQ(anthropic.at("error").at("message"), "slow down");
    auto const overloaded = mock::faulted_answer(mock::mock_fault::server_error, "/v1/messages", "{}", {});
    EXPECT_EQ(overloaded.status, 529u);
    EXPECT_EQ(json::parse(overloaded.body).at("error").at("type"), "overloaded_error");
    auto const batch = mock::error_for("/v1/messages/batches/x", 404, "none");
    EXPECT_EQ(json::parse(batch.body).at("error").at("type"), "not_found_error");
    auto const openai = json::parse(mock::error_for("/v1/chat/completions", 429, "slow").body);
    EXPECT_EQ(openai.at("error").at("message"), "slow");
    EXPECT_FALSE(openai.as_object().contains("type"));
}

TEST(MockServer, KeepsOnlyTheMostRecentRequestsWhenBounded)
{
    mock_server m({.max_recorded = 3});
    for (int i = 0; i < 5; ++i)
        (void)post(m, "/chat/completions",
                   R"({"model":"m)" + std::to_string(i) + R"(","messages":[]})");
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 3u);
    EXPECT_EQ(m.requests_served(), 5u);
    EXPECT_EQ(json::parse(reqs.back().body).at("model"), "m4");
    EXPECT_EQ(json::parse(reqs.front().body).at("model"), "m2");
}

TEST(MockServer, ThousandConcurrentConnectionsOnOneThread)
{
    rlimit lim{};
    getrlimit(RLIMIT_NOFILE, &lim);
    if (lim.rlim_cur < 4096 && lim.rlim_max >= 4096) {
        lim.rlim_cur = std::min<rlim_t>(lim.rlim_max, 8192);
        setrlimit(RLIMIT_NOFILE, &lim);
    }
    constexpr int n = 1000;
    mock_server m;
    for (int i = 0; i < n; ++i) {
        auto r = mock_reply::chat_content("hi");
        r.delay = 500ms;  // every connection is open at once
        m.push(r);
    }
    int ok = 0, done = 0;
    test::run_async(
        [&](asio::any_io_executor ex) -> asio::awaitable<void> {
            net::http_client c(ex, {.max_connections_per_host = n});
            for (int i = 0; i < n; ++i)
                asio::co_spawn(ex, [&]() -> asio::awaitable<void> {
                    net::http_request r;
                    r.url = m.base_url() + "/chat/completions";
                    r.body = "{}";
                    try {
                        ok += (co_await c.send(r, {.max_retries = 0})).status == 200;
                    }
                    catch (std::exception const&) {
                    }
                    ++done;
                }, asio::detached);
            asio::steady_timer t(ex);
            while (done < n) {
                t.expires_after(10ms);
                co_await t.async_wait(asio::use_awaitable);
            }
        },
        60s);
    EXPECT_EQ(ok, n);
    EXPECT_EQ(m.connections_accepted(), static_cast<std::size_t>(n));
}

TEST(MockServer, CommandServesUntilTerminated)
{
    int out[2];
    ASSERT_EQ(pipe(out), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        execl(INSTRUCTOR_MOCK_COMMAND, INSTRUCTOR_MOCK_COMMAND, "--chunk", "4", "--latency", "2:1",
              "--tokens-per-second", "5000", "--answer-bytes", "300", (char*)nullptr);
        _exit(127);
    }
    close(out[1]);
    FILE* f = fdopen(out[0], "r");
    char line[256] = {};
    ASSERT_TRUE(fgets(line, sizeof line, f));
    std::string text(line);
    auto at = text.find("http://");
    ASSERT_NE(at, std::string::npos) << text;
    std::string url = text.substr(at);
    url.erase(url.find_last_not_of("\r\n") + 1);
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        net::http_client c(ex);
        net::http_request r;
        r.url = url + "/chat/completions";
        r.body = R"({"messages":[]})";
        EXPECT_EQ((co_await c.send(r)).status, 200u);
    });
    kill(pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 500 && waitpid(pid, &status, WNOHANG) == 0; ++i)
        usleep(10000);
    EXPECT_TRUE(WIFEXITED(status)) << "still running";
    EXPECT_EQ(WEXITSTATUS(status), 0);
    // Its summary of what it served.
    ASSERT_TRUE(fgets(line, sizeof line, f));
    EXPECT_EQ(std::string(line).rfind("served 1 requests on 1 connections: 200 x1;", 0), 0u)
        << line;
    fclose(f);
}

TEST(MockServer, CommandRefusesBadFlags)
{
    for (auto const* flags : {"--latency x", "--latency 5:", "--tokens-per-second -1",
                              "--answer-bytes", "--fault-rate 2", "--faults 429,nope", "--port 70000",
                              "--bogus 1", "stray"}) {
        auto const line = std::string(INSTRUCTOR_MOCK_COMMAND) + " " + flags + " 2>&1";
        FILE* f = popen(line.c_str(), "r");
        ASSERT_TRUE(f);
        std::string out;
        char buf[512];
        while (auto n = fread(buf, 1, sizeof buf, f))
            out.append(buf, n);
        int const status = pclose(f);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << flags << ": " << out;
        EXPECT_NE(out.find("instructor-mock: "), std::string::npos) << flags << ": " << out;
    }
}

TEST(MockServer, LoadOptionsShapeTheDefaultAnswers)
{
    ins::testing::mock_options o;
    o.latency = 3ms;
    o.latency_spread = 2ms;
    o.tokens_per_second = 20000;
    o.answer_bytes = 4000;
    o.fault_rate = 0.5;
    o.faults = {ins::testing::mock_fault::rate_limited};
    mock_server m(o);
    std::size_t long_names = 0;
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        auto opts = test::mock_options(m);
        opts.max_network_retries = 10;  // through the 429s
        ins::client c(ex, opts);
        for (int i = 0; i < 4; ++i) {
            auto u = co_await c.create<UserInfo>(test::ask("John Doe is 32."));
            long_names += u.name.size() >= 3900;
        }
        // Streamed, paced one event at a time: every delta still arrives, in order.
        auto s = c.create_partial<UserInfo>(test::ask("John Doe is 32."));
        std::size_t partials = 0, last = 0;
        while (auto p = co_await s.next()) {
            ++partials;
            last = p->value.name.size();
        }
        EXPECT_GT(partials, 400u);  // 4,000 bytes in deltas of stream_chunk_size (8)
        EXPECT_GE(last, 3900u);
    });
    EXPECT_EQ(long_names, 4u);
    auto const st = m.stats();
    EXPECT_EQ(st.requests, m.requests_served());
    EXPECT_EQ(st.faults, m.faults_served());
    ASSERT_EQ(st.faults_by_kind.size(), st.faults ? 1u : 0u);
    std::size_t by_status = 0, limited = 0;
    for (auto const& [status, n] : st.by_status) {
        by_status += n;
        if (status == 429)
            limited = n;
    }
    EXPECT_EQ(by_status, st.requests);
    EXPECT_EQ(limited, st.faults);
    for (auto const& [status, n] : st.by_status)  // answered, or faulted with a 429
        EXPECT_TRUE(status == 200 || status == 429) << status;
    EXPECT_NE(st.to_string().find(std::to_string(st.requests) + " requests on "),
              std::string::npos)
        << st.to_string();
}

}  // namespace mock_server_test
