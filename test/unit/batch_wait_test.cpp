// wait_batch's schedule (lib/batch/poll_wait.hpp): doubling up to max_poll, cut at the
// deadline, and saturating, so that milliseconds::max() waits as long as allowed rather than
// overflowing into a negative wait that polls in a loop.
#include "batch/poll_wait.hpp"

#include <gtest/gtest.h>

namespace batch_wait_test {

using namespace instructor::detail;
using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

TEST(BatchWait, DoublesUpToMaxPoll)
{
    EXPECT_EQ(first_poll_delay(1000ms, 60'000ms), 1000ms);
    EXPECT_EQ(first_poll_delay(0ms, 60'000ms), 1ms);
    EXPECT_EQ(first_poll_delay(-5ms, 0ms), 1ms);
    EXPECT_EQ(first_poll_delay(90'000ms, 60'000ms), 60'000ms);
    EXPECT_EQ(next_poll_delay(1000ms, 60'000ms), 2000ms);
    EXPECT_EQ(next_poll_delay(40'000ms, 60'000ms), 60'000ms);
    EXPECT_EQ(next_poll_delay(60'000ms, 60'000ms), 60'000ms);
}

TEST(BatchWait, HugeDelaysSaturate)
{
    auto const huge = ms::max();
    EXPECT_EQ(first_poll_delay(huge, huge), huge);
    EXPECT_EQ(next_poll_delay(huge, huge), huge);  // doubling would overflow
    EXPECT_EQ(next_poll_delay(huge / 2 + 1ms, huge), huge);
    EXPECT_EQ(next_poll_delay(1ms, huge), 2ms);

    auto const now = clock_type::now();
    auto const wake = poll_wake(now, huge, std::nullopt);
    EXPECT_EQ(wake, clock_type::time_point::max());  // never, not before now
    auto const deadline = now + 200ms;
    EXPECT_EQ(poll_wake(now, huge, deadline), deadline);
    EXPECT_EQ(poll_wake(now, huge - 1ms, deadline), deadline);
    // Around what the clock's nanoseconds can hold: never earlier than now.
    auto const ns_max_ms = std::chrono::duration_cast<ms>(clock_type::duration::max());
    EXPECT_GE(poll_wake(now, ns_max_ms - 1h, std::nullopt), now);
    EXPECT_EQ(poll_wake(now, ns_max_ms + 1ms, std::nullopt), clock_type::time_point::max());
}

TEST(BatchWait, WakesAtTheDelayOrTheDeadline)
{
    auto const now = clock_type::now();
    EXPECT_EQ(poll_wake(now, 50ms, std::nullopt), now + 50ms);
    EXPECT_EQ(poll_wake(now, 50ms, now + 1s), now + 50ms);
    EXPECT_EQ(poll_wake(now, 5s, now + 1s), now + 1s);
    EXPECT_EQ(poll_wake(now, -3ms, std::nullopt), now);
}

}  // namespace batch_wait_test
