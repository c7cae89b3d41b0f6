// Client-side rate limits: calls wait for room instead of drawing 429s. The limits and what
// providers say of theirs (plain data); the limiter interface is in rate_limiter.hpp.
//
// `client_options::rate_limit` limits one client (and its copies); `client_options::rate_limiter`
// takes any `ins::rate_limiter`, one shared by several clients of a process
// (`make_rate_limiter`) or by many processes (a Redis one). With both set a request waits for
// both. Each HTTP request a call sends (every attempt, every fallback endpoint) first takes one
// request and its estimated tokens; a call that must wait sleeps on its own executor, within
// its deadline (a wait that would outlast `request::deadline` ends the call with errc::timeout
// at once) and cancellation, and `hook::rate_limited` says how long. The transport's own
// retries of a request (429, 5xx, network) are not taken again: they wait on the provider's
// `retry-after` or a backoff, as before.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace instructor {

/// Limits; unset: no limit of that kind. A limit of N per minute is a token bucket holding one
/// second's worth (N/60, at least 1) and refilling N/60 a second, so a burst never exceeds what
/// a provider enforcing per-second slices accepts. A request whose estimated tokens exceed the
/// bucket goes when the bucket is full and leaves it in debt (the next waits for the refill).
struct rate_limit {
    std::optional<std::uint32_t> requests_per_minute;
    std::optional<std::uint32_t> tokens_per_minute;
    /// Requests sent and not yet answered (a stream counts until its end).
    std::optional<std::uint32_t> max_in_flight;
};

/// What a provider's response said of its limits (OpenAI's `x-ratelimit-remaining-*` and
/// `x-ratelimit-reset-*`, Anthropic's `anthropic-ratelimit-*`, `retry-after`).
struct rate_limit_signal {
    unsigned status = 0;
    std::optional<std::uint64_t> remaining_requests;
    std::optional<std::uint64_t> remaining_tokens;
    std::optional<std::chrono::milliseconds> requests_reset;  ///< from now
    std::optional<std::chrono::milliseconds> tokens_reset;    ///< from now
    std::optional<std::chrono::milliseconds> retry_after;     ///< from now
};

/// What a limiter has made calls wait.
struct rate_limit_stats {
    std::uint64_t taken = 0;       ///< requests let through
    std::uint64_t waits = 0;       ///< times a request was told to wait
    std::chrono::milliseconds waited{0};  ///< the waits it asked for, summed
};

}  // namespace instructor
