// The limiter of one process: rate_buckets under a mutex. A request that finds no place in
// flight waits on a timer of its own executor that a give_back cancels (or 100 ms at most, then
// it asks again): no thread is ever blocked, and clients on several threads may share it.
#include "limit/rate_buckets.hpp"

#include <instructor/rate_limiter.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <mutex>
#include <vector>

namespace instructor {

namespace {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

class local_rate_limiter final : public rate_limiter {
public:
    explicit local_rate_limiter(rate_limit limits) : buckets_(limits) {}

    asio::awaitable<std::optional<time_point>> take(std::uint64_t tokens) override
    {
        auto const ex = co_await asio::this_coro::executor;
        auto const now = clock::now();
        std::shared_ptr<asio::steady_timer> waiter;
        {
            std::lock_guard lock(mutex_);
            auto const later = buckets_.take(now, tokens);
            if (!later) {
                ++stats_.taken;
                co_return std::nullopt;
            }
            ++stats_.waits;
            if (*later != time_point::max()) {
                stats_.waited += std::chrono::ceil<std::chrono::milliseconds>(*later - now);
                co_return later;
            }
            // On a strand of its own: the wait starts there and a give_back's cancel runs
            // there, never both at once, whatever threads run the executor.
            waiter = std::make_shared<asio::steady_timer>(asio::make_strand(ex),
                                                          now + std::chrono::milliseconds(100));
            waiters_.push_back(waiter);
        }
        // Woken by a give_back or by the 100 ms; the caller asks again at once (and checks
        // its cancellation: the wait is not cancelled from outside, which would touch the
        // timer off its strand).
        co_await asio::co_spawn(waiter->get_executor(), wait_on(waiter),
                                asio::bind_cancellation_slot(asio::cancellation_slot(),
                                                             asio::use_awaitable));
        auto const after = clock::now();
        std::lock_guard lock(mutex_);
        stats_.waited += std::chrono::ceil<std::chrono::milliseconds>(after - now);
        std::erase_if(waiters_, [&](auto const& w) { return w.expired() || w.lock() == waiter; });
        co_return after;
    }

    void give_back(std::uint64_t estimated, std::optional<std::uint64_t> used) noexcept override
    {
        std::vector<std::weak_ptr<asio::steady_timer>> woken;
        {
            std::lock_guard lock(mutex_);
            buckets_.give_back(clock::now(), estimated, used);
            woken.swap(waiters_);
        }
        wake(woken);
    }

    void give_back_unsent(std::uint64_t estimated) noexcept override
    {
        std::vector<std::weak_ptr<asio::steady_timer>> woken;
        {
            std::lock_guard lock(mutex_);
            buckets_.untake(clock::now(), estimated);
            woken.swap(waiters_);
        }
        wake(woken);
    }

    static asio::awaitable<void> wait_on(std::shared_ptr<asio::steady_timer> t)
    {
        co_await t->async_wait(asio::as_tuple(asio::use_awaitable));
    }

    static void wake(std::vector<std::weak_ptr<asio::steady_timer>> const& woken) noexcept
    {
        for (auto const& w : woken) {
            auto const t = w.lock();
            if (!t)
                continue;
            try {  // the timer's own executor cancels it: timers are not thread-safe
                asio::post(t->get_executor(), [w] {
                    if (auto t2 = w.lock())
                        t2->cancel();
                });
            }
            catch (...) {  // no memory to post: the waiter asks again after its 100 ms
            }
        }
    }

    void learn(rate_limit_signal const& signal) noexcept override
    {
        std::lock_guard lock(mutex_);
        buckets_.learn(clock::now(), signal);
    }

    rate_limit_stats stats() const override
    {
        std::lock_guard lock(mutex_);
        return stats_;
    }

private:
    mutable std::mutex mutex_;
    detail::rate_buckets buckets_;
    std::vector<std::weak_ptr<asio::steady_timer>> waiters_;
    rate_limit_stats stats_;
};

}  // namespace

std::shared_ptr<rate_limiter> make_rate_limiter(rate_limit limits)
{
    return std::make_shared<local_rate_limiter>(limits);
}

}  // namespace instructor
