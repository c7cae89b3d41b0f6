// The per-origin pool: slots handed over in order, idle connections reused.
#include "pool.hpp"

#include "net_errors.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace instructor::net::detail {

namespace asio = boost::asio;
using boost::system::error_code;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

void host_pool::release_slot()
{
    std::lock_guard lock(mutex);
    if (waiters.empty()) {
        ++free_slots;
        return;
    }
    auto w = std::move(waiters.front());
    waiters.pop_front();
    w->granted = true;
    w->wake.try_send(error_code{});
}

namespace {

/// Settles a waiter exactly once: on resumption, or when its coroutine is destroyed unresumed.
struct waiter_guard {
    std::shared_ptr<host_pool> pool;
    std::shared_ptr<slot_waiter> w;
    bool settled = false;

    /// Whether the slot was handed over; a waiter that got none leaves the queue.
    bool settle()
    {
        settled = true;
        std::lock_guard lock(pool->mutex);
        if (!w->granted)
            std::erase(pool->waiters, w);
        return w->granted;
    }
    ~waiter_guard()
    {
        if (!settled && settle())
            pool->release_slot();
    }
};

}  // namespace

asio::awaitable<bool> host_pool::take_slot(std::shared_ptr<host_pool> pool,
                                           asio::any_io_executor ex, steady::time_point deadline)
{
    using namespace asio::experimental::awaitable_operators;
    std::shared_ptr<slot_waiter> w;
    {
        std::lock_guard lock(pool->mutex);
        if (pool->free_slots > 0) {
            --pool->free_slots;
            co_return true;
        }
        w = std::make_shared<slot_waiter>(ex);
        pool->waiters.push_back(w);
    }
    waiter_guard guard{pool, w};
    asio::steady_timer timer(ex, deadline);
    (void)co_await (w->wake.async_receive(tuple_awaitable) || timer.async_wait(tuple_awaitable));
    bool const granted = guard.settle();
    auto cs = co_await asio::this_coro::cancellation_state;
    if (cs.cancelled() != asio::cancellation_type::none) {
        if (granted)
            pool->release_slot();
        throw_cancelled();
    }
    co_return granted;  // false: the deadline came first
}

std::unique_ptr<connection> host_pool::take_alive()
{
    while (!idle.empty()) {
        auto c = std::move(idle.back());
        idle.pop_back();
        if (c->alive())
            return c;
        c->close();  // the server closed it while it was idle
    }
    return nullptr;
}

lease& lease::operator=(lease&& o) noexcept
{
    give_back(false);
    pool = std::move(o.pool);
    conn = std::move(o.conn);
    return *this;
}

void lease::give_back(bool keep) noexcept
{
    if (!pool)
        return;
    if (conn) {
        conn->watch.stop();
        // An idle plain connection holds no read room (a call takes it again once its answer
        // comes; over TLS the read itself waits, with the room it has).
        if (keep && !conn->tls && conn->buffer.size() == 0)
            conn->buffer.shrink_to_fit();
    }
    {
        std::lock_guard lock(pool->mutex);
        --pool->in_use;
        if (keep && conn && pool->idle.size() < pool->idle_cap) {
            conn->reused = true;
            pool->idle.push_back(std::move(conn));
        }
    }
    if (conn)
        conn->close();
    conn.reset();
    pool->release_slot();
    pool.reset();
}

}  // namespace instructor::net::detail
