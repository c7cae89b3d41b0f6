#include "limit/rate_buckets.hpp"

#include <instructor/error.hpp>

#include <algorithm>
#include <cmath>

namespace instructor::detail {

namespace {

using std::chrono::duration_cast;
using std::chrono::nanoseconds;

void check(std::optional<std::uint32_t> limit, char const* name)
{
    if (limit && *limit == 0)
        throw error(errc::invalid_argument, std::string("rate_limit::") + name +
                                                " must be at least 1 (unset: no limit)");
}

}  // namespace

rate_buckets::rate_buckets(rate_limit limits) : max_in_flight_(limits.max_in_flight)
{
    check(limits.requests_per_minute, "requests_per_minute");
    check(limits.tokens_per_minute, "tokens_per_minute");
    check(limits.max_in_flight, "max_in_flight");
    auto const now = std::chrono::steady_clock::time_point{};
    if (limits.requests_per_minute)
        requests_ = make(*limits.requests_per_minute, now);
    if (limits.tokens_per_minute)
        tokens_ = make(*limits.tokens_per_minute, now);
}

rate_buckets::bucket rate_buckets::make(std::uint32_t per_minute, time_point now)
{
    bucket b;
    b.per_second = per_minute / 60.0;
    b.capacity = std::max(b.per_second, 1.0);
    b.level = b.capacity;  // full: the first second's worth goes at once
    b.at = now;
    return b;
}

void rate_buckets::refill(bucket& b, time_point now)
{
    if (b.at == time_point{}) {  // never used: full
        b.at = now;
        return;
    }
    if (now <= b.at)
        return;
    auto const seconds = std::chrono::duration<double>(now - b.at).count();
    b.level = std::min(b.capacity, b.level + seconds * b.per_second);
    b.at = now;
}

rate_buckets::time_point rate_buckets::ready_at(bucket const& b, double need, time_point now)
{
    // Levels are sums of fractions: a nanotoken short is no shortage.
    need = std::min(need, b.capacity) - 1e-9;
    if (b.level >= need)
        return now;
    auto const seconds = (need - b.level) / b.per_second;
    // Whole microseconds, rounded up (asking again then finds the room).
    return now + std::chrono::microseconds(static_cast<std::int64_t>(std::ceil(seconds * 1e6 - 1e-3)));
}

std::optional<rate_buckets::time_point> rate_buckets::take(time_point now, std::uint64_t tokens)
{
    auto later = paused_until_ > now ? paused_until_ : now;
    if (requests_) {
        refill(*requests_, now);
        later = std::max(later, ready_at(*requests_, 1, now));
    }
    if (tokens_) {
        refill(*tokens_, now);
        later = std::max(later, ready_at(*tokens_, static_cast<double>(tokens), now));
    }
    if (later > now)
        return later;
    if (max_in_flight_ && in_flight_ >= *max_in_flight_)
        return time_point::max();
    if (requests_)
        requests_->level -= 1;
    if (tokens_)
        tokens_->level -= static_cast<double>(tokens);
    ++in_flight_;
    return std::nullopt;
}

void rate_buckets::give_back(time_point now, std::uint64_t estimated,
                             std::optional<std::uint64_t> used)
{
    if (in_flight_ > 0)
        --in_flight_;
    if (tokens_ && used) {
        refill(*tokens_, now);
        tokens_->level = std::min(tokens_->capacity, tokens_->level + static_cast<double>(estimated) -
                                                         static_cast<double>(*used));
    }
}

void rate_buckets::untake(time_point now, std::uint64_t tokens)
{
    if (in_flight_ > 0)
        --in_flight_;
    if (requests_) {
        refill(*requests_, now);
        requests_->level = std::min(requests_->capacity, requests_->level + 1);
    }
    if (tokens_) {
        refill(*tokens_, now);
        tokens_->level = std::min(tokens_->capacity, tokens_->level + static_cast<double>(tokens));
    }
}

void rate_buckets::pause_until(time_point until) { paused_until_ = std::max(paused_until_, until); }

std::optional<std::chrono::milliseconds> rate_buckets::pause_of(rate_limit_signal const& s)
{
    // The provider's word overrides ours: a 429's (or 503's) retry-after, or a limit it says
    // is spent until its reset. At most a minute: a server asking for more cannot stall calls
    // for longer (their deadlines end them meanwhile).
    std::optional<std::chrono::milliseconds> pause;
    auto const ask = [&](std::chrono::milliseconds d) {
        d = std::clamp(d, std::chrono::milliseconds(0), max_pause);
        pause = pause ? std::max(*pause, d) : d;
    };
    if (s.retry_after && (s.status == 429 || s.status == 503))
        ask(*s.retry_after);
    if (s.remaining_requests && *s.remaining_requests == 0 && s.requests_reset)
        ask(*s.requests_reset);
    if (s.remaining_tokens && *s.remaining_tokens == 0 && s.tokens_reset)
        ask(*s.tokens_reset);
    return pause;
}

void rate_buckets::learn(time_point now, rate_limit_signal const& s)
{
    if (auto const p = pause_of(s))
        pause_until(now + *p);
}

}  // namespace instructor::detail
