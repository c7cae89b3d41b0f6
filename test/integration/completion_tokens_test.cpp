// Every public operation takes any Asio completion token (use_future, deferred, a callback with
// a bound cancellation slot), for users of callback and future-based Asio services; without
// one it is an awaitable. Against the mock endpoint over loopback.
#include "async_test.hpp"
#include "mock_client.hpp"
#include "models.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <future>

namespace completion_tokens_test {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using instructor::testing::mock_reply;
using instructor::testing::mock_server;
using models::UserInfo;

namespace {

/// The future's value, or a test failure when it does not come within a bound.
template <class R>
R get(std::future<R>& f)
{
    if (f.wait_for(30s) != std::future_status::ready)
        throw std::runtime_error("the operation never completed");
    return f.get();
}

}  // namespace

TEST(CompletionTokens, CallsWithFuturesAndCallbacks)
{
    mock_server m;
    asio::thread_pool pool(2);
    ins::client c(pool.get_executor(), test::mock_options(m));

    auto f = c.create<UserInfo>(test::ask("John Doe is 32."), asio::use_future);
    EXPECT_EQ(get(f).name, "John Doe");

    auto g = c.create_with_completion<UserInfo>(test::ask("John Doe is 32."), asio::use_future);
    auto r = get(g);
    EXPECT_EQ(r.value.age, 32);
    EXPECT_EQ(r.completion.attempts, 1);

    std::promise<std::string> named;
    c.create<UserInfo>(test::ask("John Doe is 32."), [&](std::exception_ptr e, UserInfo u) {
        named.set_value(e ? std::string("error") : u.name);
    });
    auto h = named.get_future();
    EXPECT_EQ(get(h), "John Doe");

    // deferred: nothing is sent until the deferred operation is launched.
    auto op = c.create<UserInfo>(test::ask("John Doe is 32."), asio::deferred);
    auto const before = m.requests().size();
    EXPECT_EQ(m.requests().size(), before);
    auto d = std::move(op)(asio::use_future);
    EXPECT_EQ(get(d).age, 32);
    pool.join();
}

TEST(CompletionTokens, AFailedCallCompletesWithItsError)
{
    mock_server m;
    m.push(mock_reply::error(401, "bad key"));
    asio::thread_pool pool(1);
    ins::client c(pool.get_executor(), test::mock_options(m));
    auto f = c.create<UserInfo>(test::ask("x"), asio::use_future);
    try {
        (void)get(f);
        ADD_FAILURE() << "no error";
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code_enum(), ins::errc::authentication_failed);
    }
    pool.join();
}

TEST(CompletionTokens, ACallbacksCancellationSlotReachesTheCall)
{
    mock_server m;
    auto slow = mock_reply::chat_tool_call("UserInfo", R"({"name":"a","age":1})");
    slow.delay = 5s;
    m.push(slow);
    asio::io_context ioc;
    ins::client c(ioc.get_executor(), test::mock_options(m));
    asio::cancellation_signal cancel;
    std::optional<ins::errc> code;
    c.create_with_completion<UserInfo>(
        test::ask("x"), asio::bind_cancellation_slot(cancel.slot(),
                                                     [&](std::exception_ptr e, auto) {
                                                         code = test::errc_of(e);
                                                     }));
    asio::steady_timer t(ioc, 100ms);
    t.async_wait([&](auto) { cancel.emit(asio::cancellation_type::terminal); });
    ioc.run_for(5s);
    EXPECT_EQ(code, ins::errc::cancelled);
}

TEST(CompletionTokens, EveryBatchOperation)
{
    mock_server m;
    asio::thread_pool pool(2);
    ins::client c(pool.get_executor(), test::mock_options(m));
    std::vector<ins::request> reqs{test::ask("Ann is 30."), test::ask("Bob is 40.")};

    auto created = c.create_batch<UserInfo>(reqs, asio::use_future);
    auto b = get(created);
    EXPECT_FALSE(b.id.empty());

    ins::batch_options bo;
    bo.metadata["run"] = "tokens";
    auto second = c.create_batch<UserInfo>(reqs, bo, asio::use_future);
    auto b2 = get(second);

    auto r1 = c.retrieve_batch(b.id, asio::use_future);
    EXPECT_EQ(get(r1).id, b.id);
    auto r2 = c.retrieve_batch(b, asio::use_future);
    EXPECT_EQ(get(r2).id, b.id);

    ins::wait_options wo;
    wo.first_poll = 1ms;
    auto w1 = c.wait_batch(b.id, wo, asio::use_future);
    EXPECT_EQ(get(w1).status, "completed");
    auto w2 = c.wait_batch(b, asio::use_future);
    EXPECT_EQ(get(w2).status, "completed");

    std::promise<std::string> cancelled;
    c.cancel_batch(b2.id, [&](std::exception_ptr e, ins::batch x) {
        cancelled.set_value(e ? std::string("error") : x.id);
    });
    auto cf = cancelled.get_future();
    EXPECT_EQ(get(cf), b2.id);

    auto l1 = c.list_batches(asio::use_future);
    EXPECT_GE(get(l1).batches.size(), 2u);
    ins::list_options lo;
    lo.limit = 1;
    auto l2 = c.list_batches(lo, asio::use_future);
    EXPECT_EQ(get(l2).batches.size(), 1u);
    pool.join();
}

}  // namespace completion_tokens_test
