#include "redis_runner.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>

#include <pthread.h>

namespace instructor::redis {

namespace asio = boost::asio;

runner::runner(target where, redis_cache_options const& options, resolve_fn resolve)
    : link_(make_link(ioc_.get_executor(), std::move(where), options, std::move(resolve)))
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

runner::~runner()
{
    asio::post(ioc_, [link = link_] { shutdown(*link); });
    work_.reset();
    thread_.join();
}

asio::awaitable<redis_reply> runner::exec(std::vector<std::string> args)
{
    co_return co_await asio::co_spawn(
        ioc_, redis::exec(link_, std::move(args)),
        asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
}

void runner::send(std::vector<std::string> args)
{
    asio::co_spawn(ioc_, redis::exec(link_, std::move(args)), [](std::exception_ptr, redis_reply) {});
}

}  // namespace instructor::redis
