// The time bound of a connection's exchanges: one timer for all their reads and writes (private
// to lib/net).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

namespace instructor::net::detail {

/// Bounds a connection's reads and writes in time with one timer. Beast's per-operation expiry
/// arms a timer for every read and write (a timerfd_settime each: thousands for one long
/// stream); here an operation only records its limit, and the timer, armed once, moves only
/// when an operation must end sooner than it would fire. When it fires during an operation it
/// re-arms for that operation's limit if it is still ahead, else closes the socket, which fails
/// the operation; `outcome` then reports Beast's timeout error, not a cancellation. Between
/// operations (a stream's reader busy elsewhere) nothing times out, as with Beast, though the
/// timer may stay armed until its time (at most idle_timeout) while the exchange is open.
/// Safe with the timer's handler on another thread of the executor (a mutex).
class io_watch {
public:
    io_watch() = default;
    ~io_watch();
    io_watch(io_watch const&) = delete;
    io_watch& operator=(io_watch const&) = delete;

    /// An operation on `socket` starts and must end by `limit`. When the timer must be armed,
    /// it is armed for `look` if sooner (it then re-arms for `limit`): an exchange whose next
    /// operation will be bounded sooner than this one arms once for both (a timerfd_settime a
    /// call instead of two).
    void bound(boost::asio::ip::tcp::socket& socket, std::chrono::steady_clock::time_point limit,
               std::chrono::steady_clock::time_point look = std::chrono::steady_clock::time_point::max());

    /// The operation ended with `ec`: `ec`, or beast::error::timeout when its limit closed the
    /// socket.
    boost::system::error_code outcome(boost::system::error_code ec) noexcept;

    /// The exchange is over: the timer is cancelled, so a pooled connection has no deadline
    /// and keeps no io_context running.
    void stop() noexcept;

    /// Runs `f(descriptor)` of `socket` under the lock the timer's handler closes the socket
    /// under, so the descriptor is the socket's until `f` returns (closed on another thread,
    /// its number could be another file's by the time a system call used it). False, and `f`
    /// not run, once the socket is closed.
    template <class F>
    bool now(boost::asio::ip::tcp::socket& socket, F&& f)
    {
        auto const held = hold(socket);
        if (!held)
            return false;
        f(socket.native_handle());
        return true;
    }

private:
    /// now()'s lock (owning no mutex when no timer was ever armed), or nullopt for a closed
    /// socket.
    std::optional<std::unique_lock<std::mutex>> hold(boost::asio::ip::tcp::socket& socket);

    struct state;
    static void arm(std::shared_ptr<state> const& s, std::chrono::steady_clock::time_point at);

    std::unique_ptr<boost::asio::steady_timer> timer_;
    std::shared_ptr<state> state_;  // shared with the pending wait, which may outlive this
};

}  // namespace instructor::net::detail
