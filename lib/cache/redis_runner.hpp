// A redis_link on a thread of its own, for the Redis cache and the Redis rate limiter: commands
// hop onto that thread and their replies back to the caller's executor; SIGPIPE is blocked there
// for hiredis's write(2).
#pragma once

#include "redis_link.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace instructor::redis {

class runner {
public:
    runner(target where, redis_cache_options const& options, resolve_fn resolve);
    /// Returns once the link is shut down, whatever DNS does: a resolve in flight is left to
    /// its own thread, which posts nothing after the shutdown.
    ~runner();
    runner(runner const&) = delete;
    runner& operator=(runner const&) = delete;

    /// One command on the runner's thread, its reply back on the caller's executor; throws
    /// errc::cache_failed when Redis cannot answer. The caller's cancellation is not forwarded
    /// (it would be emitted from another thread); the options' timeouts bound the wait. A caller
    /// that did not keep the runner alive resumes after it is gone: read no member after it.
    boost::asio::awaitable<redis_reply> exec(std::vector<std::string> args);
    /// Runs `args` on the runner's thread without waiting for the reply (nor its failure).
    void send(std::vector<std::string> args);

private:
    boost::asio::io_context ioc_{1};
    std::shared_ptr<redis_link> link_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
        ioc_.get_executor()};
    std::thread thread_;
};

}  // namespace instructor::redis
