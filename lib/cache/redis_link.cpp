// hiredis's event hooks over Asio, and the connection's life: connect at first use, AUTH and
// SELECT ahead of the commands, bounded connect and command time, a fast-fail window after a
// failure, replies of no shape the cache asks for refused as they are read.
#include "redis_link.hpp"
#include "redis_reply_shapes.hpp"

#include <instructor/error.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <hiredis/async.h>

#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include <poll.h>

namespace instructor::redis {

namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;

bool redis_reply::is_string() const { return type == REDIS_REPLY_STRING; }

/// One command from its call to its reply. The reply callback and the connection's failures
/// finish it; `wake` is the waiting coroutine's timer, cancelled to wake it early.
struct pending_command {
    explicit pending_command(asio::any_io_executor ex) : wake(std::move(ex)) {}

    bool done() const { return reply || failure; }
    void succeed(redis_reply r)
    {
        reply = std::move(r);
        wake.cancel();
    }
    void fail(std::string why)
    {
        failure = std::move(why);
        wake.cancel();
    }

    std::vector<std::string> args;
    std::optional<redis_reply> reply;
    std::optional<std::string> failure;
    bool sent = false;
    asio::steady_timer wake;
};

/// A resolve on its helper thread, shared with it: the answer is posted to the link's executor
/// only while `wanted` (the link sets it false, under the mutex, before its executor can go).
struct pending_resolve {
    std::mutex mutex;
    bool wanted = true;
    bool returned = false;  // getaddrinfo returned: the thread is ending

    bool has_returned()
    {
        std::lock_guard lock(mutex);
        return returned;
    }
};

/// hiredis's event hooks over the context's socket: Asio waits for readiness, hiredis reads and
/// writes. Shared with the waits in flight, which find it closed once hiredis has let go.
class socket_events : public std::enable_shared_from_this<socket_events> {
public:
    socket_events(asio::any_io_executor ex, redisAsyncContext* ac, redis_link& owner)
        : socket_(std::move(ex)), ac_(ac), owner_(owner)
    {}

    /// Watches the socket and installs the hooks in `ac`; hiredis drives this object from then
    /// on. False when Asio cannot watch the socket.
    bool attach()
    {
        boost::system::error_code ec;
        socket_.assign(ac_->c.fd, ec);
        if (ec)
            return false;
        auto& ev = ac_->ev;
        ev.data = this;
        ev.addRead = [](void* p) { static_cast<socket_events*>(p)->want(read, true); };
        ev.delRead = [](void* p) { static_cast<socket_events*>(p)->want(read, false); };
        ev.addWrite = [](void* p) { static_cast<socket_events*>(p)->want(write, true); };
        ev.delWrite = [](void* p) { static_cast<socket_events*>(p)->want(write, false); };
        ev.cleanup = [](void* p) { static_cast<socket_events*>(p)->close(); };
        return true;
    }

private:
    enum direction { read, write };
    struct interest {
        bool wanted = false;
        bool waiting = false;
    };

    void want(direction d, bool on)
    {
        interest_[d].wanted = on;
        if (on && !interest_[d].waiting)
            arm(d);
    }

    /// Asio's reactor is edge-triggered: readiness that came while no wait was queued (a reply
    /// longer than hiredis's 16 KiB read, data during the connect) would never be reported, so
    /// it is checked first.
    void arm(direction d)
    {
        interest_[d].waiting = true;
        auto on_ready = [self = shared_from_this(), d](boost::system::error_code ec) {
            self->ready(d, ec);
        };
        pollfd p{socket_.native_handle(), static_cast<short>(d == read ? POLLIN : POLLOUT), 0};
        if (::poll(&p, 1, 0) > 0)
            asio::post(socket_.get_executor(), [on_ready] { on_ready({}); });
        else
            socket_.async_wait(d == read ? asio::posix::stream_descriptor::wait_read
                                         : asio::posix::stream_descriptor::wait_write,
                               on_ready);
    }

    void ready(direction d, boost::system::error_code ec);

    void close();

    asio::posix::stream_descriptor socket_;
    redisAsyncContext* ac_;  // null once hiredis has cleaned up
    redis_link& owner_;
    interest interest_[2];
};

/// The connection, on the cache's thread: connects at first use, sends AUTH and SELECT ahead
/// of the commands (hiredis queues them until the socket connects), and after a failed connect
/// or a timeout refuses work for `reconnect_delay` instead of connecting again.
class redis_link : public std::enable_shared_from_this<redis_link> {
public:
    redis_link(asio::any_io_executor ex, target where, redis_cache_options const& options,
               resolve_fn resolve)
        : ex_(ex), target_(std::move(where)), options_(options), resolve_(std::move(resolve)),
          connect_timer_(ex)
    {}

    ~redis_link() { shutdown(); }

    /// Runs one command on the link's executor: its reply, or throws errc::cache_failed.
    static asio::awaitable<redis_reply> exec(std::shared_ptr<redis_link> self,
                                             std::vector<std::string> args)
    {
        auto op = std::make_shared<pending_command>(self->ex_);
        op->args = std::move(args);
        self->submit(op);
        op->wake.expires_after(self->options_.command_timeout);
        boost::system::error_code ignored;
        if (!op->done())
            co_await op->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        if (op->failure)
            throw self->failed(*op->failure);
        if (!op->reply) {  // timed out; a reply that comes later finds the command given up
            op->fail(self->target_.where() + " did not answer within " +
                     std::to_string(self->options_.command_timeout.count()) + " ms");
            if (op->sent)
                self->drop(*op->failure);  // the connection is stuck
            throw self->failed(*op->failure);
        }
        if (op->reply->type == REDIS_REPLY_ERROR)
            throw self->failed(self->target_.where() + " answered " + op->args[0] + " with " +
                               op->reply->str);
        co_return std::move(*op->reply);
    }

    /// Ends the connection and fails what is in flight.
    void shutdown()
    {
        stopped_ = true;
        fail_connect("the Redis cache was destroyed");
    }

    /// From the socket hooks: hiredis is freeing `ac`.
    void context_gone(redisAsyncContext* ac)
    {
        if (ac != ctx_)
            return;
        last_error_ = why_lost(ac);
        if (!ready_)  // it never worked: wait before the next try
            retry_at_ = clock_type::now() + options_.reconnect_delay;
        ctx_ = nullptr;
        events_.reset();
        ready_ = false;
        setup_pending_ = 0;
        closing_reason_.clear();
        connect_timer_.cancel();
    }

    /// From the socket hooks, after each read. hiredis buffers a reply whole before handing it
    /// over; Redis sends at most max_entry_bytes + 1 (GETRANGE), so more is not Redis talking.
    void check_unread(redisAsyncContext* ac)
    {
        auto const* reader = ac->c.reader;
        if (reader->len - reader->pos > options_.max_entry_bytes + 64 * 1024)
            drop(target_.where() + " sent a reply larger than max_entry_bytes");
    }

private:
    void submit(std::shared_ptr<pending_command> const& op)
    {
        if (stopped_)
            return op->fail("the Redis cache was destroyed");
        if (ctx_)
            return send(op);
        if (!resolving_) {
            if (clock_type::now() < retry_at_)
                return op->fail(last_error_ + " (not retried yet)");
            // One lookup at a time: DNS that does not answer holds one thread, not one a try.
            if (last_resolve_ && !last_resolve_->has_returned())
                return op->fail(target_.where() + ": the last lookup of the host has not " +
                                "returned (DNS does not answer)");
        }
        waiting_.push_back(op);
        if (!resolving_)
            start_connect();
    }

    void start_connect()
    {
        resolving_ = true;
        auto const attempt = ++attempt_;
        auto self = shared_from_this();
        connect_timer_.expires_after(options_.connect_timeout);
        connect_timer_.async_wait([self, attempt](boost::system::error_code ec) {
            if (!ec && attempt == self->attempt_ && !self->ready_)
                self->fail_connect(self->target_.where() + ": no connection within " +
                                   std::to_string(self->options_.connect_timeout.count()) + " ms");
        });
        auto state = std::make_shared<pending_resolve>();
        resolve_state_ = last_resolve_ = state;
        auto lookup = [state, weak = std::weak_ptr<redis_link>(self), attempt, resolve = resolve_,
                       host = target_.host, port = target_.port, ex = ex_] {
            boost::system::error_code ec;
            std::vector<asio::ip::tcp::endpoint> found;
            try {
                found = resolve(host, port, ec);
            }
            catch (...) {  // nothing may escape a detached thread
                ec = asio::error::host_not_found;
            }
            std::lock_guard lock(state->mutex);
            state->returned = true;
            if (state->wanted)
                asio::post(ex, [weak, attempt, ec, found = std::move(found)] {
                    if (auto link = weak.lock())
                        link->resolved(attempt, ec, found);
                });
        };
        try {
            std::thread(std::move(lookup)).detach();
        }
        catch (std::system_error const& e) {
            last_resolve_.reset();
            fail_connect(target_.where() + ": cannot start resolving the host (" + e.what() + ")");
        }
    }

    void resolved(unsigned attempt, boost::system::error_code ec,
                  std::vector<asio::ip::tcp::endpoint> const& found)
    {
        if (attempt != attempt_ || !resolving_)
            return;  // given up
        resolving_ = false;
        resolve_state_.reset();
        if (ec || found.empty())
            return fail_connect(target_.where() + ": cannot resolve the host (" +
                                (ec ? ec.message() : std::string("no address")) + ")");
        open(preferred(found));
    }

    /// The resolve in flight, if any, is given up: its thread posts nothing any more.
    void abandon_resolve()
    {
        if (auto state = std::exchange(resolve_state_, nullptr)) {
            std::lock_guard lock(state->mutex);
            state->wanted = false;
        }
    }

    /// IPv4 first, as hiredis does: a server bound to 127.0.0.1 answers "localhost".
    static asio::ip::tcp::endpoint preferred(std::vector<asio::ip::tcp::endpoint> const& found)
    {
        for (auto const& e : found)
            if (e.address().is_v4())
                return e;
        return found.front();
    }

    void open(asio::ip::tcp::endpoint const& ep)
    {
        auto* ac = redisAsyncConnect(ep.address().to_string().c_str(), ep.port());
        if (!ac)
            return fail_connect(target_.where() + ": out of memory");
        if (ac->err) {
            std::string why = target_.where() + ": " + ac->errstr;
            redisAsyncFree(ac);
            return fail_connect(why);
        }
        shapes_ = {};
        refuse_unasked_shapes(*ac->c.reader, shapes_);
        events_ = std::make_shared<socket_events>(ex_, ac, *this);
        if (!events_->attach()) {
            events_.reset();
            redisAsyncFree(ac);
            return fail_connect(target_.where() + ": cannot watch the socket");
        }
        ctx_ = ac;
        ac->data = this;
        redisAsyncSetConnectCallback(ac, [](redisAsyncContext const* c, int status) {
            auto* self = static_cast<redis_link*>(c->data);
            if (status == REDIS_OK && self->setup_pending_ == 0)
                self->set_ready();
        });  // a failed connect: hiredis frees the context, and context_gone says why
        if (target_.user.empty() && !target_.password.empty())
            setup("AUTH", {"AUTH", target_.password});
        else if (!target_.password.empty())
            setup("AUTH", {"AUTH", target_.user, target_.password});
        if (target_.db != 0)
            setup("SELECT", {"SELECT", std::to_string(target_.db)});
        for (auto& op : std::exchange(waiting_, {}))
            send(op);
    }

    void set_ready()
    {
        ready_ = true;
        connect_timer_.cancel();
    }

    /// AUTH or SELECT, ahead of every command; a refusal ends the connection.
    void setup(char const* name, std::vector<std::string> const& args)
    {
        ++setup_pending_;
        auto const on_reply = [](redisAsyncContext* c, void* r, void* command_name) {
            auto* self = static_cast<redis_link*>(c->data);
            auto const* reply = static_cast<redisReply const*>(r);
            if (!reply)
                return;  // the connection is going; the commands behind fail with it
            if (reply->type == REDIS_REPLY_ERROR)
                self->drop(self->target_.where() + " refused " +
                           static_cast<char const*>(command_name) + ": " +
                           std::string(reply->str, reply->len));
            else if (--self->setup_pending_ == 0)
                self->set_ready();
        };
        command(args, on_reply, const_cast<char*>(name));
    }

    void send(std::shared_ptr<pending_command> const& op)
    {
        if (op->done())
            return;  // gave up while the host was resolved
        auto box = std::make_unique<std::shared_ptr<pending_command>>(op);
        auto const on_reply = [](redisAsyncContext* c, void* r, void* p) {
            std::unique_ptr<std::shared_ptr<pending_command>> owned(
                static_cast<std::shared_ptr<pending_command>*>(p));
            auto& cmd = **owned;
            auto const* reply = static_cast<redisReply const*>(r);
            if (cmd.done())
                return;
            if (!reply)
                return cmd.fail(static_cast<redis_link*>(c->data)->why_lost(c));
            cmd.succeed({reply->type, reply->str ? std::string(reply->str, reply->len) : ""});
        };
        if (!command(op->args, on_reply, box.get()))
            return op->fail(target_.where() + ": the connection is closing");
        box.release();  // owned by the callback, which hiredis calls exactly once
        op->sent = true;
    }

    bool command(std::vector<std::string> const& args, redisCallbackFn* fn, void* data)
    {
        std::vector<char const*> argv;
        std::vector<std::size_t> lengths;
        for (auto const& a : args) {
            argv.push_back(a.data());
            lengths.push_back(a.size());
        }
        return redisAsyncCommandArgv(ctx_, fn, data, static_cast<int>(argv.size()), argv.data(),
                                     lengths.data()) == REDIS_OK;
    }

    /// Gives up the current connection attempt: the commands waiting for it fail.
    void fail_connect(std::string why)
    {
        ++attempt_;
        resolving_ = false;
        abandon_resolve();
        connect_timer_.cancel();
        for (auto& op : std::exchange(waiting_, {}))
            op->fail(why);
        last_error_ = why;
        drop(std::move(why));
    }

    /// Ends the connection for a reason of ours and waits before the next. hiredis fails the
    /// commands in flight and cleans up, at once or, inside a reply callback, when it returns.
    void drop(std::string why)
    {
        retry_at_ = clock_type::now() + options_.reconnect_delay;
        if (!ctx_)
            return;
        closing_reason_ = std::move(why);
        redisAsyncFree(ctx_);
    }

    std::string why_lost(redisAsyncContext const* ac) const
    {
        if (!closing_reason_.empty())
            return closing_reason_;
        if (shapes_.refused)
            return target_.where() + " answered with an array or an integer, which none of the "
                                     "cache's commands asks for";
        if (ac->c.err)
            return target_.where() + ": " + ac->c.errstr;
        return target_.where() + ": the connection was closed";
    }

    /// The error for a failed command; Redis's own messages are echoed, but never the password.
    error failed(std::string what) const
    {
        constexpr std::string_view hidden = "[password]";
        if (auto const& pw = target_.password; !pw.empty())
            for (auto at = what.find(pw); at != std::string::npos;
                 at = what.find(pw, at + hidden.size()))
                what.replace(at, pw.size(), hidden);
        return error(errc::cache_failed, std::move(what));
    }

    asio::any_io_executor ex_;
    target target_;
    redis_cache_options options_;
    resolve_fn resolve_;
    std::shared_ptr<pending_resolve> resolve_state_;  // the resolve in flight
    std::shared_ptr<pending_resolve> last_resolve_;   // the last one, given up or not
    asio::steady_timer connect_timer_;
    redisAsyncContext* ctx_ = nullptr;
    reply_guard shapes_;  // the context's reader tells it of a refused reply
    std::shared_ptr<socket_events> events_;
    std::vector<std::shared_ptr<pending_command>> waiting_;  // for the host to resolve
    unsigned attempt_ = 0;  // stale resolves and timers see a change
    bool resolving_ = false;
    bool ready_ = false;  // connected, logged in and on its database
    int setup_pending_ = 0;
    bool stopped_ = false;
    std::string closing_reason_;  // why we freed the context, for the commands it fails
    std::string last_error_;
    clock_type::time_point retry_at_{};
};

void socket_events::ready(direction d, boost::system::error_code ec)
{
    interest_[d].waiting = false;
    if (ec || !ac_ || !interest_[d].wanted)
        return;
    auto* ac = ac_;
    if (d == read) {
        redisAsyncHandleRead(ac);
        if (ac_)
            owner_.check_unread(ac);
    }
    else {
        redisAsyncHandleWrite(ac);
    }
    if (ac_ && interest_[d].wanted && !interest_[d].waiting)
        arm(d);
}

void socket_events::close()
{
    auto keep = shared_from_this();  // the owner lets go of this object below
    if (!ac_)
        return;
    auto* ac = std::exchange(ac_, nullptr);
    ac->ev = {};  // hiredis 0.14 may call cleanup twice
    socket_.release();  // cancels the waits; hiredis closes the descriptor
    owner_.context_gone(ac);
}

std::vector<asio::ip::tcp::endpoint> resolve_host(std::string const& host, std::uint16_t port,
                                                  boost::system::error_code& ec)
{
    asio::io_context ioc;  // a synchronous resolve: getaddrinfo on the calling thread
    asio::ip::tcp::resolver resolver(ioc);
    auto const results = resolver.resolve(host, std::to_string(port),
                                          asio::ip::tcp::resolver::numeric_service, ec);
    std::vector<asio::ip::tcp::endpoint> found;
    for (auto const& e : results)
        found.push_back(e.endpoint());
    return found;
}

std::shared_ptr<redis_link> make_link(asio::any_io_executor ex, target where,
                                      redis_cache_options const& options, resolve_fn resolve)
{
    return std::make_shared<redis_link>(std::move(ex), std::move(where), options,
                                        std::move(resolve));
}

asio::awaitable<redis_reply> exec(std::shared_ptr<redis_link> link, std::vector<std::string> args)
{
    return redis_link::exec(std::move(link), std::move(args));
}

void shutdown(redis_link& link) { link.shutdown(); }

}  // namespace instructor::redis
