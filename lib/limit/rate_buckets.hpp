// The arithmetic of a local rate limit, without a clock or a lock: token buckets for requests
// and tokens per minute, a count of requests in flight, and a pause learnt from the provider.
// Every function takes the time, so tests step it by hand.
#pragma once

#include <instructor/rate_limit.hpp>

#include <chrono>
#include <cstdint>
#include <optional>

namespace instructor::detail {

class rate_buckets {
public:
    using time_point = std::chrono::steady_clock::time_point;

    /// Throws errc::invalid_argument for a limit of 0.
    explicit rate_buckets(rate_limit limits);

    /// Takes one request of `tokens` at `now`: nullopt when taken; else when to ask again,
    /// time_point::max() when only a place in flight is missing (ask once one is given back).
    std::optional<time_point> take(time_point now, std::uint64_t tokens);
    /// A request ended: its in-flight place back; `used` replaces `estimated` in the tokens
    /// bucket (a refund, or more debt).
    void give_back(time_point now, std::uint64_t estimated, std::optional<std::uint64_t> used);
    /// A request taken for was never sent: its place, its request and its tokens come back.
    void untake(time_point now, std::uint64_t tokens);
    /// Nothing goes before `until` (the provider's retry-after or reset, exhausted).
    void pause_until(time_point until);
    /// The provider's signal at `now`, as a pause (pause_of).
    void learn(time_point now, rate_limit_signal const& s);
    /// The pause a signal asks for (a 429's retry-after, a spent limit's reset), at most
    /// max_pause; nothing when it asks none.
    static std::optional<std::chrono::milliseconds> pause_of(rate_limit_signal const& s);

    std::uint32_t in_flight() const noexcept { return in_flight_; }

    /// The longest pause learnt from one signal.
    static constexpr std::chrono::milliseconds max_pause{60'000};

private:
    struct bucket {
        double capacity = 0;    // one second's worth, at least 1
        double per_second = 0;  // the refill
        double level = 0;       // may go below 0: debt
        time_point at{};        // when level was last brought up to date
    };
    static bucket make(std::uint32_t per_minute, time_point now);
    static void refill(bucket& b, time_point now);
    /// When `b` holds `need` (at most its capacity), from `now`.
    static time_point ready_at(bucket const& b, double need, time_point now);

    std::optional<bucket> requests_;
    std::optional<bucket> tokens_;
    std::optional<std::uint32_t> max_in_flight_;
    std::uint32_t in_flight_ = 0;
    time_point paused_until_{};
};

}  // namespace instructor::detail
