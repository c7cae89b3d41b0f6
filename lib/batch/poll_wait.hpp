// wait_batch's schedule without I/O: when the next poll happens and how the wait grows.
// Saturating: milliseconds::max() means "as long as the clock can wait" (the deadline, when
// there is one), never a negative wait from an overflow, which would poll in a loop.
#pragma once

#include <chrono>
#include <optional>

namespace instructor::detail {

/// The first wait: `first_poll` within [1 ms, max_poll] (max_poll at least 1 ms).
std::chrono::milliseconds first_poll_delay(std::chrono::milliseconds first_poll,
                                           std::chrono::milliseconds max_poll) noexcept;

/// The wait after `delay`: doubled, at most `max_poll`, without overflow.
std::chrono::milliseconds next_poll_delay(std::chrono::milliseconds delay,
                                          std::chrono::milliseconds max_poll) noexcept;

/// When the next poll happens: `delay` after `now`, at most the deadline; time_point::max()
/// when the sum would pass the end of the clock.
std::chrono::steady_clock::time_point poll_wake(
    std::chrono::steady_clock::time_point now, std::chrono::milliseconds delay,
    std::optional<std::chrono::steady_clock::time_point> deadline) noexcept;

}  // namespace instructor::detail
