// What a hostile or broken server tries, and what the client must do instead of breaking: the
// rows of the reliability issue, each a regression test through the public API.
#include "async_test.hpp"
#include "mock_client.hpp"
#include "models.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <random>

namespace hostile_server_test {

namespace asio = boost::asio;
namespace json = boost::json;
namespace net = instructor::net;
using namespace models;
using namespace std::chrono_literals;
using instructor::testing::mock_reply;
using instructor::testing::mock_server;

namespace {

constexpr char const* key = "sk-hostile-test-key-7777";

ins::client_options options_for(mock_server const& m, ins::mode mode = ins::mode::tools)
{
    return test::mock_options(m, mode, key);
}

ins::request john(int max_retries = 0)
{
    ins::request r;
    r.messages.push_back(ins::message::user("John Doe is 32 years old."));
    r.max_retries = max_retries;
    return r;
}

template <class Body>
std::optional<ins::error> with_client(ins::client_options const& o, Body body)
{
    return test::with<ins::client>(o, std::move(body));
}

}  // namespace

// A chunk-size line whose extension never ends: the read buffer is bounded, so the call fails
// with response_too_large long before memory grows.
TEST(HostileServer, AChunkExtensionThatNeverEnds)
{
    mock_server m;
    mock_reply r;
    r.raw = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            "10;ext=" + std::string(4 * 1024 * 1024, 'x');
    m.push(r);
    auto o = options_for(m);
    o.max_network_retries = 0;
    auto err = with_client(o, [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(john());
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::response_too_large) << err->what();
}

// Chunked framing everywhere else (trailers, a huge chunk-size line) is bounded the same way.
TEST(HostileServer, EndlessTrailersAndChunkSizeLines)
{
    for (std::string tail : {"0\r\nX-Trailer: " + std::string(4 * 1024 * 1024, 't'),
                             std::string(4 * 1024 * 1024, '0')}) {
        mock_server m;
        mock_reply r;
        r.raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n" + tail;
        m.push(r);
        auto o = options_for(m);
        o.max_network_retries = 0;
        auto err = with_client(o, [&](ins::client& c) -> asio::awaitable<void> {
            co_await c.create<UserInfo>(john());
        });
        ASSERT_TRUE(err);
        EXPECT_TRUE(err->code() == ins::errc::response_too_large ||
                    err->code() == ins::errc::protocol_error)
            << err->what();
    }
}

// A legitimate long answer streamed a few characters per event in OpenAI's envelope: many
// times max_body_bytes on the wire, under it as an answer. It streams to the end; an
// answer that itself exceeds the limit is response_too_large.
TEST(HostileServer, ALongAnswerInTinyDeltasStreamsToTheEnd)
{
    auto stream_of = [](std::string const& name) {
        std::string const args = json::serialize(json::object{{"name", name}, {"age", 32}});
        std::vector<std::string> events;
        auto chunk = [&](json::object delta) {
            events.push_back(json::serialize(json::object{
                {"id", "chatcmpl-long"},
                {"object", "chat.completion.chunk"},
                {"created", 1700000000},
                {"model", "gpt-4o-mini"},
                {"system_fingerprint", "fp_0123456789"},
                {"choices", json::array{json::object{{"index", 0},
                                                     {"delta", std::move(delta)},
                                                     {"logprobs", nullptr},
                                                     {"finish_reason", nullptr}}}}}));
        };
        chunk({{"role", "assistant"},
               {"tool_calls", json::array{json::object{
                                  {"index", 0},
                                  {"id", "call_1"},
                                  {"type", "function"},
                                  {"function", {{"name", "UserInfo"}, {"arguments", ""}}}}}}});
        for (std::size_t at = 0; at < args.size(); at += 4)
            chunk({{"tool_calls", json::array{json::object{
                                      {"index", 0}, {"function", {{"arguments", args.substr(at, 4)}}}}}}});
        auto r = mock_reply::sse(events);
        r.chunk_size = 0;  // one piece: fast on loopback
        return r;
    };
    mock_server m;
    // Sized to stay quick under the sanitizers; the ratios are those of the real case (a
    // 400 KB answer in 35 MB of SSE against a 16 MiB limit).
    std::string const long_name(48 * 1024, 'n');
    auto long_stream = stream_of(long_name);
    ASSERT_GT(long_stream.body.size(), 20u * 64 * 1024);  // the framing: > 20x the limit below
    m.push(long_stream);
    m.push(stream_of(std::string(96 * 1024, 'n')));  // the answer itself > the limit
    auto o = options_for(m);
    o.transport.max_body_bytes = 64 * 1024;
    auto err = with_client(o, [&](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_partial<UserInfo>(john());
        std::optional<UserInfo> last;
        while (auto p = co_await s.next())
            if (p->complete)
                last = p->value;
        EXPECT_TRUE(last && last->name == long_name);
        auto too_long = c.create_partial<UserInfo>(john());
        while (co_await too_long.next()) {
        }
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::response_too_large) << err->what();
}

// A stream's error event that echoes the key: redacted in what(), provider_message and hooks.
TEST(HostileServer, AStreamErrorEventEchoingTheKeyIsRedacted)
{
    mock_server m;
    m.push(mock_reply::sse({R"({"error":{"message":"Incorrect API key provided: )" + std::string(key) +
                            R"(","type":"invalid_request_error"}})"},
                           false));
    std::string seen;
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        c.on(ins::hook::completion_error, [&](ins::hook_event const& e) { seen += e.error->what(); });
        auto s = c.create_partial<UserInfo>(john());
        while (co_await s.next()) {
        }
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::server_error);
    EXPECT_EQ(std::string(err->what()).find(key), std::string::npos) << err->what();
    EXPECT_EQ(err->provider_message.find(key), std::string::npos);
    EXPECT_FALSE(seen.empty());
    EXPECT_EQ(seen.find(key), std::string::npos);
}

// An error body that puts the key right where the message is cut: redacted before the cut.
TEST(HostileServer, AKeyAtTheCutOfAnErrorBodyIsRedacted)
{
    mock_server m;
    mock_reply r;
    r.status = 400;
    r.content_type = "text/html";
    r.body = std::string(290, '.') + key + std::string(100, '.');  // not JSON: cut at 300
    m.push(r);
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(john());
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code(), ins::errc::bad_request);
    EXPECT_EQ(std::string(err->what()).find(std::string(key).substr(0, 10)), std::string::npos)
        << err->what();
}

// Calls cancelled at scattered moments while they retry 503s: every one ends exactly once,
// with an ins::error (cancelled, or the 503 when it came first), never a foreign exception.
TEST(HostileServer, CancellationAtScatteredMomentsDuringRetries)
{
    mock_server m;
    for (int i = 0; i < 5000; ++i)
        m.push(mock_reply::error(503, "overloaded"));
    asio::io_context ioc;
    auto o = options_for(m);
    o.max_network_retries = 3;
    ins::client c(ioc.get_executor(), o);
    constexpr int calls = 300;
    std::vector<int> ends(calls, 0);
    std::vector<std::string> foreign;
    std::vector<std::unique_ptr<asio::cancellation_signal>> signals;
    std::vector<std::unique_ptr<asio::steady_timer>> timers;
    std::mt19937 rng(7);
    for (int i = 0; i < calls; ++i) {
        signals.push_back(std::make_unique<asio::cancellation_signal>());
        auto* sig = signals.back().get();
        auto handler = [&, i](std::exception_ptr e, UserInfo) {
            ++ends[i];
            try {
                if (e)
                    std::rethrow_exception(e);
                foreign.push_back("a value");
            }
            catch (ins::error const&) {
            }
            catch (std::exception const& other) {
                foreign.push_back(other.what());
            }
        };
        auto req = john();
        if (i % 2) {
            c.async_create<UserInfo>(req, asio::bind_cancellation_slot(sig->slot(), handler));
        }
        else {  // streams too
            asio::co_spawn(ioc, [&c, req]() -> asio::awaitable<UserInfo> {
                auto s = c.create_partial<UserInfo>(req);
                while (co_await s.next()) {
                }
                co_return UserInfo{};
            }, asio::bind_cancellation_slot(sig->slot(), handler));
        }
        timers.push_back(std::make_unique<asio::steady_timer>(
            ioc, std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 1200)(rng))));
        timers.back()->async_wait([sig](auto) { sig->emit(asio::cancellation_type::terminal); });
    }
    ioc.run_for(30s);
    for (int i = 0; i < calls; ++i)
        EXPECT_EQ(ends[i], 1) << "call " << i;
    EXPECT_TRUE(foreign.empty()) << foreign.size() << " foreign outcomes, first: " << foreign.front();
}

// Timeouts of "forever" and a deadline at the end of time: deadlines saturate instead of
// overflowing (UBSan runs this too).
TEST(HostileServer, HugeTimeoutsAndFarDeadlinesDoNotOverflow)
{
    mock_server m;
    auto o = options_for(m);
    o.transport.connect_timeout = std::chrono::milliseconds::max();
    o.transport.request_timeout = std::chrono::milliseconds::max();
    o.transport.idle_timeout = std::chrono::milliseconds::max();
    auto err = with_client(o, [&](ins::client& c) -> asio::awaitable<void> {
        auto req = john();
        req.timeout = std::chrono::milliseconds::max();
        req.deadline = std::chrono::steady_clock::time_point::max();
        EXPECT_EQ((co_await c.create<UserInfo>(req)).age, 32);
        auto s = c.create_partial<UserInfo>(req);
        while (co_await s.next()) {
        }
    });
    EXPECT_FALSE(err) << err->what();
}

// A 503 with Retry-After in year 9999 is retried after the usual backoff.
TEST(HostileServer, RetryAfterInYear9999)
{
    mock_server m;
    m.push(mock_reply::error(503, "busy", {{"Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT"}}));
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        EXPECT_EQ((co_await c.create<UserInfo>(john())).age, 32);
    });
    EXPECT_FALSE(err) << err->what();
    EXPECT_EQ(m.requests().size(), 2u);
}

// Each fault the mock can inject ends a call (and a stream) with its own typed error, or, for
// a slow drip, with the value.
TEST(HostileServer, EveryMockFaultEndsWithItsError)
{
    using ins::testing::mock_fault;
    struct row {
        mock_fault fault;
        std::optional<ins::errc> expected;  // none: the call succeeds
    };
    std::vector<row> const rows{
        {mock_fault::rate_limited, ins::errc::rate_limited},
        {mock_fault::server_error, ins::errc::server_error},
        {mock_fault::cut, ins::errc::connection_failed},
        {mock_fault::drip, std::nullopt},
        {mock_fault::invalid_json, ins::errc::protocol_error},
        {mock_fault::schema_invalid, ins::errc::validation_failed},
        {mock_fault::oversized, ins::errc::response_too_large},
        {mock_fault::close_without_response, ins::errc::connection_failed},
    };
    for (auto const& r : rows) {
        for (bool stream : {false, true}) {
            SCOPED_TRACE(std::string(ins::testing::to_string(r.fault)) + (stream ? " stream" : ""));
            ins::testing::mock_options mo;
            mo.fault_rate = 1;
            mo.faults = {r.fault};
            mo.oversized_bytes = 2 * 1024 * 1024;
            mock_server m(mo);
            auto o = options_for(m);
            o.max_network_retries = 0;
            o.transport.max_body_bytes = 1024 * 1024;
            auto err = with_client(o, [&](ins::client& c) -> asio::awaitable<void> {
                if (stream) {
                    auto s = c.create_partial<UserInfo>(john());
                    while (co_await s.next()) {
                    }
                }
                else {
                    co_await c.create<UserInfo>(john());
                }
            });
            if (!r.expected) {
                EXPECT_FALSE(err) << err->what();
                continue;
            }
            ASSERT_TRUE(err);
            EXPECT_EQ(err->code(), *r.expected) << err->what();
            EXPECT_EQ(m.faults_served(), 1u);
        }
    }
}

}  // namespace hostile_server_test
