// The Redis cache: a redis_link on a thread of the cache's own. get and put hop onto that thread
// (co_spawn) and back; SIGPIPE is blocked there for hiredis's write(2).
#include "redis_cache.hpp"

#include <instructor/cache.hpp>
#include <instructor/error.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <thread>

#include <pthread.h>

namespace instructor {

namespace {

namespace asio = boost::asio;

class redis_cache final : public cache {
public:
    redis_cache(redis::target target, std::chrono::seconds ttl, redis_cache_options options,
                redis::resolve_fn resolve)
        : password_(target.password),
          link_(redis::make_link(ioc_.get_executor(), std::move(target), options,
                                 std::move(resolve))),
          prefix_(std::move(options.key_prefix)), ttl_(std::to_string(ttl.count())),
          max_bytes_(options.max_entry_bytes)
    {
        thread_ = std::thread([this] {
            // hiredis writes with write(2): to a closed peer that raises SIGPIPE, which must not
            // end the process. Blocked on this thread, the write fails with EPIPE instead.
            sigset_t pipe;
            sigemptyset(&pipe);
            sigaddset(&pipe, SIGPIPE);
            pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
            ioc_.run();
        });
    }

    /// Returns once the link is shut down, whatever DNS does: a resolve in flight is left to
    /// its own thread, which posts nothing after the shutdown.
    ~redis_cache() override
    {
        asio::post(ioc_, [link = link_] { redis::shutdown(*link); });
        work_.reset();
        thread_.join();
    }

    asio::awaitable<std::optional<std::string>> get(std::string key) override
    {
        // GETRANGE, not GET: Redis never sends more than one byte past the limit.
        auto const max = max_bytes_;  // no member is read after the wait: see exec
        std::vector<std::string> command{"GETRANGE", prefix_ + key, "0", std::to_string(max)};
        auto r = co_await exec(std::move(command));
        if (!r.is_string() || r.str.empty() || r.str.size() > max)
            co_return std::nullopt;  // absent (an empty value is never stored) or too large
        co_return std::move(r.str);
    }

    asio::awaitable<void> put(std::string key, std::string value) override
    {
        if (value.empty() || value.size() > max_bytes_)
            co_return;
        std::vector<std::string> command{"SET", prefix_ + key, std::move(value), "EX", ttl_};
        co_await exec(std::move(command));
    }

    std::vector<std::string> secrets() const override
    {
        if (password_.empty())
            return {};
        return {password_};
    }

private:
    /// On the cache's thread, back on the caller's. The caller's cancellation is not forwarded
    /// (it would be emitted from another thread); the timeouts bound the wait instead. A caller
    /// that did not keep the cache alive resumes after it is gone, so nothing here or in get
    /// and put reads a member after the wait.
    asio::awaitable<redis::redis_reply> exec(std::vector<std::string> args)
    {
        co_return co_await asio::co_spawn(
            ioc_, redis::exec(link_, std::move(args)),
            asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
    }

    std::string password_;
    asio::io_context ioc_{1};
    std::shared_ptr<redis::redis_link> link_;
    std::string prefix_;
    std::string ttl_;
    std::size_t max_bytes_;
    asio::executor_work_guard<asio::io_context::executor_type> work_{ioc_.get_executor()};
    std::thread thread_;
};

}  // namespace

std::shared_ptr<cache> make_redis_cache(std::string url, std::chrono::seconds ttl,
                                        redis_cache_options options)
{
    return redis::make_cache(url, ttl, std::move(options), redis::resolve_host);
}

std::shared_ptr<cache> redis::make_cache(std::string const& url, std::chrono::seconds ttl,
                                         redis_cache_options options, resolve_fn resolve)
{
    auto target = redis::parse_url(url);
    if (ttl.count() <= 0)
        throw error(errc::invalid_argument, "make_redis_cache: the ttl must be positive");
    if (options.connect_timeout.count() <= 0 || options.command_timeout.count() <= 0 ||
        options.reconnect_delay.count() < 0)
        throw error(errc::invalid_argument, "make_redis_cache: a timeout is not positive");
    if (options.max_entry_bytes == 0)
        throw error(errc::invalid_argument, "make_redis_cache: max_entry_bytes is 0");
    return std::make_shared<redis_cache>(std::move(target), ttl, std::move(options),
                                         std::move(resolve));
}

}  // namespace instructor
