// One client shared by many threads: calls and streams from a thread pool, the connection pool
// handing slots over between threads, hooks registered while calls run. Run under
// ThreadSanitizer by the test command (build/tsan).
#include "async_test.hpp"
#include "mock_client.hpp"
#include "models.hpp"
#include "streamed.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace threads_test {

namespace asio = boost::asio;
using namespace models;
using namespace std::chrono_literals;
using instructor::testing::mock_reply;
using instructor::testing::mock_server;

namespace {

ins::request john()
{
    ins::request r;
    r.messages.push_back(ins::message::user("John Doe is 32 years old."));
    return r;
}

}  // namespace

TEST(Threads, StreamsAndCallsOnAThreadPoolShareOneClient)
{
    mock_server m({.stream_chunk_size = 5});
    asio::thread_pool pool(4);
    auto o = test::mock_options(m);
    o.transport.max_connections_per_host = 3;  // slots are handed over between threads
    ins::client c(pool.get_executor(), o);
    std::atomic<int> usage_events{0};
    std::vector<std::future<int>> results;
    for (int i = 0; i < 24; ++i) {
        auto req = john();
        req.mode = i % 3 == 0 ? ins::mode::responses_tools
                   : i % 3 == 1 ? ins::mode::anthropic_json
                                : ins::mode::json_schema;
        if (i == 5)  // a hook added while calls run
            c.on(ins::hook::completion_usage, [&](ins::hook_event const&) { ++usage_events; });
        if (i % 2)
            results.push_back(asio::co_spawn(pool, test::streamed_age(c, req), asio::use_future));
        else
            results.push_back(asio::co_spawn(pool, [c, req]() -> asio::awaitable<int> {
                co_return (co_await c.create<UserInfo>(req)).age;
            }, asio::use_future));
    }
    for (auto& f : results) {
        ASSERT_EQ(f.wait_for(60s), std::future_status::ready);
        EXPECT_EQ(f.get(), 32);
    }
    pool.join();
    EXPECT_EQ(m.requests().size(), 24u);
    EXPECT_GT(usage_events.load(), 0);
}

TEST(Threads, CancellingFromAnotherThread)
{
    mock_server m;
    for (int i = 0; i < 8; ++i) {
        auto slow = mock_reply::chat_tool_call("UserInfo", R"({"name":"a","age":1})");
        slow.delay = 3s;
        m.push(slow);
    }
    asio::thread_pool pool(3);
    // A cancellation slot must be emitted on the executor its operation runs on: the calls run
    // on one strand of the pool, and the emits are posted to it from this thread.
    auto strand = asio::make_strand(pool);
    ins::client c(strand, test::mock_options(m));
    std::vector<std::unique_ptr<asio::cancellation_signal>> signals;
    std::vector<std::future<void>> done;
    std::atomic<int> cancelled{0};
    for (int i = 0; i < 8; ++i) {
        signals.push_back(std::make_unique<asio::cancellation_signal>());
        auto p = std::make_shared<std::promise<void>>();
        done.push_back(p->get_future());
        c.async_create<UserInfo>(john(), asio::bind_cancellation_slot(
                                             signals.back()->slot(), [&, p](std::exception_ptr e, UserInfo) {
                                                 try {
                                                     if (e)
                                                         std::rethrow_exception(e);
                                                 }
                                                 catch (ins::error const& err) {
                                                     if (err.code() == ins::errc::cancelled)
                                                         ++cancelled;
                                                 }
                                                 p->set_value();
                                             }));
    }
    std::this_thread::sleep_for(200ms);
    for (auto& s : signals)
        asio::post(strand, [sig = s.get()] { sig->emit(asio::cancellation_type::terminal); });
    for (auto& f : done)
        ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
    pool.join();
    EXPECT_EQ(cancelled.load(), 8);
}

TEST(Threads, DeadlinesPassingWhileAnswersStreamOnAThreadPool)
{
    // Paced answers read on a thread pool while deadlines pass: a connection's timer fires on
    // one thread as a read of its socket runs on another (the transport's reads at once run
    // under the timer's lock). Every stream ends whole or with a timeout, nothing else.
    mock_server m({.stream_chunk_size = 2, .tokens_per_second = 400});
    asio::thread_pool pool(4);
    auto o = test::mock_options(m);
    o.transport.max_connections_per_host = 4;
    ins::client c(pool.get_executor(), o);
    std::vector<std::future<int>> results;
    for (int i = 0; i < 16; ++i) {
        auto req = john();
        req.mode = ins::mode::json_schema;
        req.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(20 + 15 * i);
        results.push_back(asio::co_spawn(pool, [c, req]() -> asio::awaitable<int> {
            try {
                co_return co_await test::streamed_age(c, req);
            }
            catch (ins::error const& e) {
                co_return e.code() == ins::errc::timeout ? 0 : -2;
            }
        }, asio::use_future));
    }
    for (auto& f : results) {
        ASSERT_EQ(f.wait_for(60s), std::future_status::ready);
        auto const got = f.get();
        EXPECT_TRUE(got == 32 || got == 0) << got;  // the answer, or a timeout
    }
    pool.join();
}

}  // namespace threads_test
