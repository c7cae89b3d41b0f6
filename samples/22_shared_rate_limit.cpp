// A burst from two processes under one shared rate limit, and what it cost.
//
// Two processes (this one and a child it forks before any thread starts) each extract eight
// people at once, under one limit of 120 requests a minute shared through Redis
// (ins::make_redis_rate_limiter: two requests at once, then two a second, for both together).
// Each prints how often and how long its calls waited, and what they cost at gpt-4o-mini's
// price (client_options::prices). INSTRUCTOR_REDIS_URL names the Redis (default
// redis://127.0.0.1:6379); without a Redis there, each process keeps the limit alone, and no call
// fails for it. Both talk to the sample's endpoint: the parent's embedded mock, or the provider
// whose key is set.
#include "sample_endpoint.hpp"

#include <instructor/instructor.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/describe.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace asio = boost::asio;
namespace ins = instructor;

struct Person {
    std::string name;
    int age;
};
BOOST_DESCRIBE_STRUCT(Person, (), (name, age))

asio::awaitable<int> burst(ins::client& client, std::string who)
{
    auto ex = co_await asio::this_coro::executor;
    std::chrono::milliseconds waited{0};
    client.on(ins::hook::rate_limited, [&](ins::hook_event const& e) { waited += e.wait; });
    int done = 0, ok = 0;
    double cost = 0;
    for (int i = 0; i < 8; ++i) {
        ins::request req;
        req.messages.push_back(ins::message::user(who + "'s friend number " + std::to_string(i) +
                                                  " is " + std::to_string(30 + i) + "."));
        asio::co_spawn(ex, client.create_with_completion<Person>(std::move(req)),
                       [&](std::exception_ptr e, ins::with_completion<Person> r) {
                           ++done;
                           if (e)
                               return;
                           ++ok;
                           cost += r.completion.total_usage.cost_usd.value_or(0);
                       });
    }
    asio::steady_timer t(ex);
    while (done < 8) {
        t.expires_after(std::chrono::milliseconds(10));
        co_await t.async_wait(asio::use_awaitable);
    }
    auto const stats = client.options().rate_limiter->stats();
    std::printf("%s: %d of 8 calls answered; %llu waits for the shared limit, %lld ms waited in "
                "all; cost $%.6f\n",
                who.c_str(), ok, static_cast<unsigned long long>(stats.waits),
                static_cast<long long>(waited.count()), cost);
    co_return ok == 8 ? 0 : 1;
}

ins::client_options limited(std::string const& redis)
{
    ins::client_options o;
    o.rate_limiter = ins::make_redis_rate_limiter(redis, "sample-22", {.requests_per_minute = 120});
    o.prices["gpt-4o-mini"] = {.input_per_mtok = 0.15, .output_per_mtok = 0.60};
    o.default_model = "gpt-4o-mini";
    return o;
}

int run();

int main()
{
    try {
        return run();
    }
    catch (ins::error const& e) {  // a bad INSTRUCTOR_REDIS_URL (its password never shown)
        std::cerr << e.what() << "\n";
        return 1;
    }
}

int run()
{
    char const* env = std::getenv("INSTRUCTOR_REDIS_URL");
    std::string const redis = env && *env ? env : "redis://127.0.0.1:6379";
    int url_pipe[2];
    if (pipe(url_pipe) != 0)
        return 1;
    pid_t const child = fork();  // before any thread: both processes start clean
    if (child < 0)
        return 1;
    asio::io_context ioc;
    if (child == 0) {
        close(url_pipe[1]);
        std::string url;  // the parent's mock, or nothing when it talks to a provider
        char c;
        while (read(url_pipe[0], &c, 1) == 1 && c != '\n')
            url += c;
        close(url_pipe[0]);
        auto o = limited(redis);
        std::optional<ins::client> client;
        if (!url.empty()) {
            o.base_url = url;
            o.api_key = "mock-key";
            client.emplace(ioc.get_executor(), std::move(o));
        }
        else {
            client.emplace(ins::from_env(ioc.get_executor(), std::move(o)));
        }
        auto f = asio::co_spawn(ioc, burst(*client, "child"), asio::use_future);
        ioc.run();
        std::fflush(stdout);
        _exit(f.get());
    }
    close(url_pipe[0]);
    sample::endpoint ep(ioc.get_executor(), limited(redis));
    auto const url = (ep.is_mock() ? ep.mock()->base_url() : std::string()) + "\n";
    (void)!write(url_pipe[1], url.data(), url.size());
    close(url_pipe[1]);
    std::cout << "one limit of 120 requests a minute for both processes, through " << redis
              << " (name sample-22)\n";
    auto f = asio::co_spawn(ioc, burst(ep.client(), "parent"), asio::use_future);
    ioc.run();
    int status = 0;
    waitpid(child, &status, 0);
    int const mine = sample::exit_code(f);
    return mine != 0 ? mine : (WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}
