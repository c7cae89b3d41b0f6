// One timer bounding a connection's reads and writes.
#include "io_watch.hpp"

#include <boost/beast/core/error.hpp>

#include <algorithm>
#include <mutex>

namespace instructor::net::detail {

namespace asio = boost::asio;
using boost::system::error_code;
using clock = std::chrono::steady_clock;

// On a multi-threaded executor the timer's handler may run while the call's coroutine starts an
// operation, ends one or drops the connection: everything here, the timer's own calls included,
// is under the mutex.
struct io_watch::state {
    std::mutex mutex;
    asio::steady_timer* timer = nullptr;  // null once the watch is gone
    asio::ip::tcp::socket* socket = nullptr;
    clock::time_point limit = clock::time_point::max();  // of the pending operation
    clock::time_point armed_for{};
    unsigned generation = 0;  // of the wait whose firing counts; older ones are ignored
    bool armed = false;
    bool pending = false;  // an operation is under way
    bool fired = false;    // the socket was closed for a passed limit
};

io_watch::~io_watch()
{
    if (!state_)
        return;
    std::lock_guard lock(state_->mutex);
    state_->timer = nullptr;
    state_->socket = nullptr;
    timer_->cancel();
}

void io_watch::arm(std::shared_ptr<state> const& s, clock::time_point at)  // under s->mutex
{
    s->armed = true;
    s->armed_for = at;
    s->timer->expires_at(at);  // cancels the wait before, which then counts for nothing
    s->timer->async_wait([s, generation = ++s->generation](error_code ec) {
        if (ec == asio::error::operation_aborted)
            return;
        std::lock_guard lock(s->mutex);
        if (generation != s->generation || !s->timer)
            return;
        s->armed = false;
        if (!s->pending)
            return;  // between operations: the next one arms again
        if (clock::now() < s->limit) {
            arm(s, s->limit);
            return;
        }
        s->fired = true;
        error_code ignored;
        s->socket->close(ignored);
    });
}

void io_watch::bound(asio::ip::tcp::socket& socket, clock::time_point limit, clock::time_point look)
{
    if (!timer_) {
        timer_ = std::make_unique<asio::steady_timer>(socket.get_executor());
        state_ = std::make_shared<state>();
        state_->timer = timer_.get();
    }
    std::lock_guard lock(state_->mutex);
    state_->socket = &socket;
    state_->limit = limit;
    state_->pending = true;
    if (!state_->armed || state_->armed_for > limit)
        arm(state_, std::min(limit, look));
}

error_code io_watch::outcome(error_code ec) noexcept
{
    if (!state_)
        return ec;
    std::lock_guard lock(state_->mutex);
    state_->pending = false;
    if (ec && state_->fired)
        return boost::beast::error::timeout;
    return ec;
}

std::optional<std::unique_lock<std::mutex>> io_watch::hold(asio::ip::tcp::socket& socket)
{
    std::unique_lock<std::mutex> lock;
    if (state_)
        lock = std::unique_lock(state_->mutex);
    if (!socket.is_open())
        return std::nullopt;
    return lock;
}

void io_watch::stop() noexcept
{
    if (!state_)
        return;
    std::lock_guard lock(state_->mutex);
    state_->pending = false;
    if (!state_->armed)
        return;
    state_->armed = false;
    ++state_->generation;
    timer_->cancel();
}

}  // namespace instructor::net::detail
