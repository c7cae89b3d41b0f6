// Connections kept per origin, and the slots that bound how many are in use (private to
// lib/net).
#pragma once

#include "connection.hpp"

#include <boost/asio/experimental/concurrent_channel.hpp>

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace instructor::net::detail {

/// A request waiting for a free connection slot. Who owns a handed-over slot is decided by
/// `granted`, under the pool's lock; the channel only wakes the waiter, and holds its one message
/// even when the waiter is not listening yet, so no hand-over is lost to a race with a
/// deadline, a cancellation or another thread.
struct slot_waiter {
    explicit slot_waiter(boost::asio::any_io_executor ex) : wake(ex, 1) {}
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code)> wake;
    bool granted = false;
};

struct host_pool {
    std::mutex mutex;
    std::vector<std::unique_ptr<connection>> idle;
    std::size_t in_use = 0;
    std::size_t free_slots;  // leases that may still be handed out
    std::size_t idle_cap;    // idle connections kept beyond that are closed
    std::deque<std::shared_ptr<slot_waiter>> waiters;
    /// The first fields of every request its connections carry (head_fields), set once when
    /// the pool is made.
    std::string fields;

    /// Room for every idle connection is made now: giving one back never allocates.
    explicit host_pool(std::size_t size) : free_slots(size), idle_cap(size) { idle.reserve(size); }

    /// A slot is free again: it goes to the first waiter, else back to the count.
    void release_slot();

    /// The newest idle connection still alive (those the server closed while they were idle
    /// are closed on the way), or null. Under `mutex`.
    std::unique_ptr<connection> take_alive();

    /// Waits for a slot of `pool` until `deadline`; returns false on timeout, throws on
    /// cancellation. A waiter whose coroutine is destroyed before it resumes (its io_context
    /// went away) gives its place, or the slot handed to it, back.
    static boost::asio::awaitable<bool> take_slot(std::shared_ptr<host_pool> pool,
                                                  boost::asio::any_io_executor ex,
                                                  steady::time_point deadline);
};

/// A connection leased from a pool, with the slot that allowed it. Given back (pooled or
/// closed) exactly once.
struct lease {
    std::shared_ptr<host_pool> pool;
    std::unique_ptr<connection> conn;

    lease() = default;
    lease(lease&&) = default;
    lease& operator=(lease&& o) noexcept;
    ~lease() { give_back(false); }

    /// Pools the connection when `keep` (and there is room), else closes it; frees the slot.
    void give_back(bool keep) noexcept;
};

}  // namespace instructor::net::detail
