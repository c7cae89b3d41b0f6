// What the providers' response headers say of their rate limits: OpenAI's (and Azure's,
// OpenRouter's, Together's) `x-ratelimit-remaining-*` / `x-ratelimit-reset-*` with durations
// such as `6m0s` or `20ms`, Anthropic's `anthropic-ratelimit-*-remaining` / `-reset` with RFC
// 3339 times, and `retry-after(-ms)` everywhere. Unreadable values are left unset.
#pragma once

#include <instructor/net/http_types.hpp>
#include <instructor/rate_limit.hpp>

#include <chrono>
#include <optional>
#include <vector>
#include <string_view>

namespace instructor::protocol {

/// The signal in one response head; `now` reads absolute times (Anthropic's resets, HTTP
/// dates). Every duration is at most a day.
rate_limit_signal rate_signal_of(unsigned status, std::vector<net::header> const& headers,
                                 std::chrono::system_clock::time_point now);

/// OpenAI's reset durations: `1s`, `6m0s`, `1h2m3.5s`, `20ms`, `0.5s`.
std::optional<std::chrono::milliseconds> parse_reset_duration(std::string_view text);

}  // namespace instructor::protocol
