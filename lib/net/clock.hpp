// Deadlines from durations, saturating: a huge timeout means "never", not an overflow (private
// to lib/net).
#pragma once

#include <chrono>

namespace instructor::net::detail {

using steady = std::chrono::steady_clock;

/// now + `d`, or the end of time when that does not fit; now for a negative `d`.
inline steady::time_point after(std::chrono::milliseconds d) noexcept
{
    auto const now = steady::now();
    if (d <= std::chrono::milliseconds::zero())
        return now;
    auto const room = std::chrono::duration_cast<std::chrono::milliseconds>(
        steady::time_point::max() - now);
    if (d >= room)
        return steady::time_point::max();
    return now + std::chrono::duration_cast<steady::duration>(d);
}

}  // namespace instructor::net::detail
