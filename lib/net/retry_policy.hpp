// When and how long to wait before retrying a failed HTTP attempt (sans I/O).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace instructor::net {

/// What the transport knows about a failed attempt. Header values are passed verbatim.
struct attempt_outcome {
    std::optional<unsigned> status;             ///< HTTP status, when a response arrived
    bool network_error = false;                 ///< connect/reset/closed/timeout: no response
    std::optional<std::string> should_retry;    ///< `x-should-retry` header, if present
    std::optional<std::string> retry_after_ms;  ///< `retry-after-ms` header (milliseconds, float)
    std::optional<std::string> retry_after;     ///< `Retry-After`: seconds (float) or an HTTP-date
};

/// Whether to try again, and after how long.
struct retry_decision {
    bool retry = false;
    std::chrono::milliseconds delay{0};  ///< meaningful only when `retry`

    friend bool operator==(retry_decision const&, retry_decision const&) = default;
};

/// The retry policy the official provider SDKs share (whether to retry, and how long to wait),
/// in transport terms only: statuses and headers.
///
/// Never retries once `retries_done >= max_retries`. An `x-should-retry` header of `true` or
/// `false` (any case) decides on its own; otherwise a network error or a retryable status
/// (see is_retryable_status) is retried and anything else is not. A status below 400 without a
/// network error is never retried.
///
/// The delay is the server's when it asks for one between 0 (excluded) and 60 s: `retry-after-ms`
/// if it is a number, else `Retry-After` as seconds or as an HTTP-date (IMF-fixdate, RFC 850 or
/// asctime) relative to `now`. Otherwise it is `min(0.5 s * 2^retries_done, 8 s)` reduced by a
/// jitter of up to 25%: `* (1 - 0.25 * random01)`. Malformed headers fall back to that; nothing
/// throws.
///
/// @param retries_done retries already made (0 after the first attempt)
/// @param random01 a number in [0, 1), injected so that tests are deterministic
/// @param now the current time, for an HTTP-date `Retry-After`
retry_decision decide_retry(attempt_outcome const& o, int retries_done, int max_retries,
                            double random01, std::chrono::system_clock::time_point now);

/// The wait a response's `retry-after-ms` or `Retry-After` asks for (read as decide_retry reads
/// them, at most a day), whatever the status; nothing when neither holds a readable one.
std::optional<std::chrono::milliseconds> server_delay(attempt_outcome const& o,
                                                     std::chrono::system_clock::time_point now);

/// True for the statuses worth another attempt: 408, 409, 429 and every 5xx (and above).
bool is_retryable_status(unsigned status) noexcept;

/// Parses an HTTP-date (RFC 9110 section 5.6.7): IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`,
/// the obsolete RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` and asctime `Sun Nov  6 08:49:37 1994`.
/// The weekday is not checked. Returns nothing for anything else.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

}  // namespace instructor::net
