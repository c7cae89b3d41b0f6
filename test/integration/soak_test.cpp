// The soak: many calls at high concurrency against a mock that faults a fifth of its answers
// (every fault it knows, seeded), half of them streams. Every call must end exactly once with a
// value or an ins::error, none after its deadline, the pool never above its bound, and the
// process's memory back near where it started.
//
// INSTRUCTOR_SOAK_CALLS sets the number of calls (default 10,000; the sanitizer builds run
// 2,000); `INSTRUCTOR_SOAK_CALLS=1000000 build/release/test/instructor_soak_test` is the long
// mode.
#include "mock_client.hpp"
#include "models.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <gtest/gtest.h>

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <thread>

namespace soak_test {

namespace asio = boost::asio;
using namespace models;
using namespace std::chrono_literals;
using instructor::testing::mock_server;

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif

std::size_t resident_kib()
{
    std::ifstream statm("/proc/self/statm");
    std::size_t pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) / 1024;
}

/// Heap bytes in use, every arena (the mock's thread has its own): what a leak grows. Resident
/// memory is reported too, but moves by megabytes with the allocator's caching.
std::size_t heap_in_use_kib()
{
    malloc_trim(0);
    auto const mi = mallinfo2();
    return (mi.uordblks + mi.hblkhd) / 1024;
}

/// Lets the mock notice the connections the client closed (bounded wait).
void settle(mock_server const& m)
{
    for (int i = 0; i < 250 && m.open_connections() > 0; ++i)
        std::this_thread::sleep_for(20ms);
}

struct tally {
    std::vector<int> ends;
    std::map<std::string, int> outcomes;  // "ok" or the errc's name
    int foreign = 0;
    int late = 0;
    std::vector<std::string> late_calls;  // the first few, for the failure message
    std::size_t max_in_use = 0;
    std::size_t max_open_at_mock = 0;
};

/// Runs `calls` calls, `concurrency` at a time, half of them streams.
void run(ins::client_options const& o, mock_server& m, std::size_t calls, std::size_t concurrency,
         tally& t)
{
    asio::io_context ioc;
    ins::client c(ioc.get_executor(), o);
    t.ends.assign(calls, 0);
    std::atomic<std::size_t> next{0};
    std::size_t running = concurrency;
    auto worker = [&]() -> asio::awaitable<void> {
        for (std::size_t i; (i = next++) < calls;) {
            ins::request req;
            req.messages.push_back(ins::message::user("John Doe is 32 years old."));
            req.max_retries = 1;
            // One call in ten has a tight deadline, so deadlines are met under load too.
            auto const budget = i % 10 == 0 ? 300ms : 20s;
            req.deadline = std::chrono::steady_clock::now() + budget;
            auto const deadline = *req.deadline;
            std::string outcome = "ok";
            try {
                if (i % 2) {
                    auto s = c.create_partial<UserInfo>(req);
                    while (co_await s.next()) {
                    }
                }
                else {
                    (void)co_await c.create<UserInfo>(req);
                }
                ++t.outcomes["ok"];
            }
            catch (ins::error const& e) {
                outcome = e.code().message();
                ++t.outcomes[outcome];
            }
            catch (...) {
                outcome = "foreign";
                ++t.foreign;
            }
            ++t.ends[i];
            // A call may finish just after its deadline by the time it takes to notice (the
            // timer fires, the socket closes): a second of grace for a loaded 2-core machine.
            auto const now = std::chrono::steady_clock::now();
            if (now > deadline + 1s) {
                ++t.late;
                if (t.late_calls.size() < 10)
                    t.late_calls.push_back(
                        "call " + std::to_string(i) + (i % 2 ? " (stream)" : "") + ": " +
                        outcome + ", " +
                        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           now - deadline).count()) +
                        " ms past its deadline of " +
                        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           budget).count()) +
                        " ms");
            }
        }
        --running;
    };
    for (std::size_t w = 0; w < concurrency; ++w)
        asio::co_spawn(ioc, worker(), asio::detached);
    asio::steady_timer sampler(ioc);
    std::function<void()> sample = [&] {
        t.max_in_use = std::max(t.max_in_use, c.transport_stats().in_use);
        t.max_open_at_mock = std::max(t.max_open_at_mock, m.open_connections());
        if (running == 0)
            return;
        sampler.expires_after(20ms);
        sampler.async_wait([&](auto) { sample(); });
    };
    sample();
    ioc.run();
}

}  // namespace

TEST(Soak, CallsAndStreamsUnderEveryFault)
{
    std::size_t calls = sanitized ? 2000 : 10000;
    if (char const* env = std::getenv("INSTRUCTOR_SOAK_CALLS"))
        calls = std::strtoull(env, nullptr, 10);
    std::size_t const concurrency = 200;
    std::size_t const pool_bound = 64;

    ins::testing::mock_options mo;
    mo.stream_chunk_size = 16;
    mo.max_recorded = 0;  // a long run keeps nothing
    mo.fault_rate = 0.2;
    mo.seed = 20261129;
    mo.oversized_bytes = 2 * 1024 * 1024;
    // As providers' servers run: answers come as fast as the client reads, the case in which
    // bodies once flowed past their calls' deadlines.
    mo.tcp_nodelay = true;
    mock_server m(mo);

    auto o = test::mock_options(m, ins::mode::tools, "sk-soak");
    o.max_network_retries = 2;
    o.transport.max_body_bytes = 1024 * 1024;
    o.transport.max_connections_per_host = pool_bound;
    o.transport.request_timeout = 10s;
    o.transport.idle_timeout = 5s;

    tally warm;
    run(o, m, std::min<std::size_t>(calls, 2000), concurrency, warm);
    tally t;
    t.ends.reserve(calls);  // the test's own bookkeeping is not the library's memory
    settle(m);
    auto const baseline = heap_in_use_kib();
    auto const rss_before = resident_kib();

    run(o, m, calls, concurrency, t);
    settle(m);
    auto const after = heap_in_use_kib();
    auto const rss_after = resident_kib();

    for (std::size_t i = 0; i < calls; ++i)
        ASSERT_EQ(t.ends[i], 1) << "call " << i << " ended " << t.ends[i] << " times";
    EXPECT_EQ(t.foreign, 0) << "calls that ended with something other than an ins::error";
    if (!sanitized) {  // ASan's slowdown makes a second of grace meaningless
        std::string late;
        for (auto const& l : t.late_calls)
            late += "\n  " + l;
        EXPECT_EQ(t.late, 0) << "calls that ended after their deadline:" << late;
    }
    EXPECT_LE(t.max_in_use, pool_bound);
    EXPECT_GT(t.outcomes["ok"], static_cast<int>(calls / 2));
    EXPECT_GT(m.faults_served(), calls / 10);
    std::string summary;
    for (auto const& [what, n] : t.outcomes)
        summary += what + ": " + std::to_string(n) + "; ";
    std::cout << "[soak] " << calls << " calls at " << concurrency << ": " << summary
              << "faults served " << m.faults_served() << ", pool max in use " << t.max_in_use
              << ", mock max open " << t.max_open_at_mock << ", heap in use " << baseline
              << " -> " << after << " KiB, RSS " << rss_before << " -> " << rss_after << " KiB\n";
    if (!sanitized) {  // sanitizers keep freed memory in quarantine
        EXPECT_LE(after, baseline + baseline / 10) << "memory in use grew";
    }
}

}  // namespace soak_test
