// Client-side rate limits against the mock: calls wait for room (checked by the spacing of what
// the mock receives, on its clock, as lower bounds a slow machine can only widen), places in
// flight, a limit learnt from a 429's retry-after and shared between two clients, a wait that
// would pass the deadline, and bad limits refused; one budget shared through a real
// redis-server by two limiters and by two instructor-bench processes, and an unreachable Redis
// falling back to the local limits.
#include "async_test.hpp"
#include "command_output.hpp"
#include "mock_client.hpp"
#include "models.hpp"
#include "redis_server.hpp"

#include <instructor/client.hpp>
#include <instructor/rate_limiter.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace rate_limit_test {

namespace asio = boost::asio;
namespace json = boost::json;
namespace ins = instructor;
using ins::testing::mock_reply;
using ins::testing::mock_server;
using models::UserInfo;
using namespace std::chrono_literals;

namespace {

/// Runs `n` calls of `c` at once; the errors they ended with (none: all succeeded).
asio::awaitable<std::vector<std::exception_ptr>> burst(ins::client& c, int n)
{
    auto ex = co_await asio::this_coro::executor;
    std::vector<std::exception_ptr> errors;
    int done = 0;
    for (int i = 0; i < n; ++i)
        asio::co_spawn(ex, c.create<UserInfo>(test::ask("John Doe is 32 years old.")),
                       [&](std::exception_ptr e, UserInfo) {
                           if (e)
                               errors.push_back(e);
                           ++done;
                       });
    asio::steady_timer t(ex);
    while (done < n) {
        t.expires_after(5ms);
        co_await t.async_wait(asio::use_awaitable);
    }
    co_return errors;
}

std::chrono::milliseconds gap(ins::testing::recorded_request const& a,
                              ins::testing::recorded_request const& b)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(b.received - a.received);
}

}  // namespace

TEST(RateLimit, RequestsPerMinuteSpaceWhatTheMockReceives)
{
    mock_server m;
    auto o = test::mock_options(m);
    o.rate_limit = ins::rate_limit{.requests_per_minute = 120};  // 2 at once, then 2 a second
    int waits = 0;
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        ins::client c(ex, o);
        c.on(ins::hook::rate_limited, [&](ins::hook_event const& e) {
            ++waits;
            EXPECT_GT(e.wait.count(), 0);
            EXPECT_LE(e.wait.count(), 1000);
        });
        auto errors = co_await burst(c, 5);
        EXPECT_TRUE(errors.empty());
        auto const stats = c.rate_limit_stats();
        EXPECT_TRUE(stats && stats->taken == 5 && stats->waits >= 3);
        EXPECT_FALSE(ins::client(ex, test::mock_options(m)).rate_limit_stats());  // no limit
    });
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 5u);
    // Two at once; the fifth a second and a half after the first at the earliest.
    EXPECT_GE(gap(reqs[0], reqs[4]), 1400ms);
    EXPECT_GE(waits, 3);
}

TEST(RateLimit, PlacesInFlightHoldTheNextRequestUntilAnAnswer)
{
    mock_server m;
    for (int i = 0; i < 3; ++i) {
        auto slow = mock_reply::chat_tool_call("UserInfo", R"({"name":"John Doe","age":32})");
        slow.delay = 200ms;
        m.push(slow);
    }
    auto o = test::mock_options(m);
    o.rate_limit = ins::rate_limit{.max_in_flight = 1};
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        ins::client c(ex, o);
        auto errors = co_await burst(c, 3);
        EXPECT_TRUE(errors.empty());
    });
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 3u);
    EXPECT_GE(gap(reqs[0], reqs[1]), 190ms);  // each waited for the answer before it
    EXPECT_GE(gap(reqs[1], reqs[2]), 190ms);
}

TEST(RateLimit, ARetryAfterLearntByOneClientHoldsAnotherSharingTheLimiter)
{
    mock_server m;
    m.push(mock_reply::error(429, "Rate limit reached", {{"retry-after", "1"}}));
    auto shared = ins::make_rate_limiter({.requests_per_minute = 6000});
    auto o = test::mock_options(m);
    o.rate_limiter = shared;
    o.max_network_retries = 0;
    std::chrono::milliseconds waited{0};
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        ins::client first(ex, o);
        ins::client second(ex, o);
        second.on(ins::hook::rate_limited, [&](ins::hook_event const& e) { waited += e.wait; });
        try {
            (void)co_await first.create<UserInfo>(test::ask("John Doe is 32 years old."));
            ADD_FAILURE() << "a 429 succeeded";
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code_enum(), ins::errc::rate_limited);
        }
        auto u = co_await second.create<UserInfo>(test::ask("John Doe is 32 years old."));
        EXPECT_EQ(u.age, 32);
    });
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_GE(gap(reqs[0], reqs[1]), 900ms);  // the provider's second, waited out
    EXPECT_GE(waited, 800ms);
    auto const stats = shared->stats();
    EXPECT_EQ(stats.taken, 2u);
    EXPECT_GE(stats.waits, 1u);
}

TEST(RateLimit, AWaitPastTheDeadlineEndsTheCallAtOnce)
{
    mock_server m;
    auto o = test::mock_options(m);
    o.rate_limit = ins::rate_limit{.requests_per_minute = 1};  // then one a minute
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        ins::client c(ex, o);
        (void)co_await c.create<UserInfo>(test::ask("John Doe is 32 years old."));
        auto req = test::ask("John Doe is 32 years old.");
        req.deadline = std::chrono::steady_clock::now() + 5s;
        try {
            (void)co_await c.create<UserInfo>(req);
            ADD_FAILURE() << "a call waited a minute past its deadline";
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code_enum(), ins::errc::timeout);
            EXPECT_NE(std::string(e.what()).find("rate limit"), std::string::npos) << e.what();
        }
    });
    EXPECT_EQ(m.requests().size(), 1u);
}

TEST(RateLimit, ALimitOfZeroIsABadConfiguration)
{
    asio::io_context ioc;
    ins::client_options o;
    o.rate_limit = ins::rate_limit{.tokens_per_minute = 0};
    try {
        ins::client c(ioc.get_executor(), o);
        ADD_FAILURE() << "a limit of 0 was taken";
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code_enum(), ins::errc::invalid_argument);
    }
    EXPECT_THROW((void)ins::make_rate_limiter({.max_in_flight = 0}), ins::error);
}

TEST(RateLimit, TwoLimitersSharingARedisNameShareOneBudget)
{
    test::redis_server r;
    mock_server m;
    auto a = test::mock_options(m);
    a.rate_limiter = ins::make_redis_rate_limiter(r.url(), "share-test", {.requests_per_minute = 120});
    auto b = test::mock_options(m);  // a limiter of its own, as another process would have
    b.rate_limiter = ins::make_redis_rate_limiter(r.url(), "share-test", {.requests_per_minute = 120});
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        ins::client first(ex, a);
        ins::client second(ex, b);
        auto const both = [&]() -> asio::awaitable<void> {
            auto errors = co_await burst(first, 3);
            EXPECT_TRUE(errors.empty());
        };
        int done = 0;
        asio::co_spawn(ex, both(), [&](std::exception_ptr) { ++done; });
        auto errors = co_await burst(second, 3);
        EXPECT_TRUE(errors.empty());
        asio::steady_timer t(ex);
        while (done < 1) {
            t.expires_after(5ms);
            co_await t.async_wait(asio::use_awaitable);
        }
    });
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 6u);
    // One bucket for both: two at once, then two a second (each alone would take half a second).
    EXPECT_GE(gap(reqs.front(), reqs.back()), 1900ms);
    EXPECT_GT(a.rate_limiter->stats().waits + b.rate_limiter->stats().waits, 0u);
    EXPECT_FALSE(r.keys("{share-test}:requests").empty());  // the bucket lives in Redis, one slot
}

TEST(RateLimit, ARetryAfterPausesEveryProcessSharingTheName)
{
    test::redis_server r;
    mock_server m;
    m.push(mock_reply::error(429, "Rate limit reached", {{"retry-after", "1"}}));
    auto a = test::mock_options(m);
    a.max_network_retries = 0;
    a.rate_limiter = ins::make_redis_rate_limiter(r.url(), "pause-test", {.requests_per_minute = 6000});
    auto b = a;
    b.rate_limiter = ins::make_redis_rate_limiter(r.url(), "pause-test", {.requests_per_minute = 6000});
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        ins::client first(ex, a);
        ins::client second(ex, b);
        try {
            (void)co_await first.create<UserInfo>(test::ask("John Doe is 32 years old."));
            ADD_FAILURE() << "a 429 succeeded";
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code_enum(), ins::errc::rate_limited);
        }
        // The pause goes to Redis without the call waiting for it: seen there, then asked.
        for (int i = 0; i < 100 && r.cli("EXISTS {pause-test}:pause") != "1"; ++i)
            std::this_thread::sleep_for(5ms);
        (void)co_await second.create<UserInfo>(test::ask("John Doe is 32 years old."));
    });
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_GE(gap(reqs[0], reqs[1]), 700ms);  // the second limiter waited out the first's 429
    EXPECT_GE(b.rate_limiter->stats().waits, 1u);
}

TEST(RateLimit, AnUnreachableRedisFallsBackToTheLocalLimits)
{
    mock_server m;
    auto o = test::mock_options(m);
    o.rate_limiter = ins::make_redis_rate_limiter(
        "redis://127.0.0.1:" + std::to_string(test::free_port()), "gone", {.requests_per_minute = 120});
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        ins::client c(ex, o);
        auto errors = co_await burst(c, 5);
        EXPECT_TRUE(errors.empty());  // never a failed call for the limiter
    });
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 5u);
    EXPECT_GE(gap(reqs.front(), reqs.back()), 1400ms);  // the same limits, in this process
}

TEST(RateLimit, TwoProcessesShareOneLimitThroughRedis)
{
    test::redis_server r;
    mock_server m;
    auto const run = [&] {
        std::string line = INSTRUCTOR_BENCH_COMMAND;
        line += " --url " + m.base_url() + " --requests 4 --concurrency 4 --rpm 120 --redis " +
                r.url() + " --limit-name fleet-test --json 2>/dev/null";
        return test::run_command(line);
    };
    auto one = std::async(std::launch::async, run);
    auto two = std::async(std::launch::async, run);
    std::uint64_t waits = 0;
    for (auto* f : {&one, &two}) {
        auto const out = f->get();
        ASSERT_EQ(out.status, 0) << out.out;
        auto const report = json::parse(out.out).as_object();
        EXPECT_EQ(report.at("ok").to_number<int>(), 4);
        waits += report.at("rate_limit").at("waits").to_number<std::uint64_t>();
        EXPECT_EQ(out.out.find(test::redis_password), std::string::npos);
    }
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 8u);
    // Eight through one bucket (two at once, two a second): three seconds at least; each
    // process alone would have needed one.
    EXPECT_GE(gap(reqs.front(), reqs.back()), 2800ms);
    EXPECT_GT(waits, 0u);
}

}  // namespace rate_limit_test
