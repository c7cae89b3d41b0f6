#include "batch/poll_wait.hpp"

#include <algorithm>

namespace instructor::detail {

using std::chrono::milliseconds;
using clock = std::chrono::steady_clock;

milliseconds first_poll_delay(milliseconds first_poll, milliseconds max_poll) noexcept
{
    auto const most = std::max(max_poll, milliseconds(1));
    return std::clamp(first_poll, milliseconds(1), most);
}

milliseconds next_poll_delay(milliseconds delay, milliseconds max_poll) noexcept
{
    auto const most = std::max(max_poll, milliseconds(1));
    if (delay >= most / 2)  // doubling would pass max_poll, or overflow
        return most;
    return std::max(delay * 2, milliseconds(1));
}

clock::time_point poll_wake(clock::time_point now, milliseconds delay,
                            std::optional<clock::time_point> deadline) noexcept
{
    delay = std::max(delay, milliseconds(0));
    // Compared in milliseconds: converting a huge delay to the clock's nanoseconds overflows.
    auto const room = std::chrono::floor<milliseconds>(clock::time_point::max() - now);
    auto const wake = delay >= room ? clock::time_point::max()
                                    : now + std::chrono::duration_cast<clock::duration>(delay);
    return deadline ? std::min(wake, *deadline) : wake;
}

}  // namespace instructor::detail
