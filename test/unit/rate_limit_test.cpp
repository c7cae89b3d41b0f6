// The arithmetic of the local rate limits (token buckets, places in flight, pauses learnt from
// the provider) with the time stepped by hand, and the providers' rate-limit headers read.
#include "limit/rate_buckets.hpp"
#include "protocol/rate_headers.hpp"

#include <instructor/error.hpp>

#include <gtest/gtest.h>

#include <chrono>

namespace rate_limit_test {

namespace ins = instructor;
using ins::detail::rate_buckets;
using namespace std::chrono_literals;

namespace {

auto const t0 = std::chrono::steady_clock::time_point{} + 1000h;

}  // namespace

TEST(RateBuckets, AMinuteLimitHoldsOneSecondsWorthAndRefillsIt)
{
    rate_buckets b(ins::rate_limit{.requests_per_minute = 120});  // 2 a second, 2 at once
    EXPECT_FALSE(b.take(t0, 0));
    EXPECT_FALSE(b.take(t0, 0));
    auto const wait = b.take(t0, 0);
    ASSERT_TRUE(wait);
    EXPECT_EQ(*wait, t0 + 500ms);  // one request refills in half a second
    EXPECT_TRUE(b.take(t0 + 499ms, 0));
    EXPECT_FALSE(b.take(*wait, 0));
    // Idle for long: never more than the second's worth at once.
    EXPECT_FALSE(b.take(t0 + 1h, 0));
    EXPECT_FALSE(b.take(t0 + 1h, 0));
    EXPECT_TRUE(b.take(t0 + 1h, 0));
}

TEST(RateBuckets, ASlowLimitStillLetsOneRequestGo)
{
    rate_buckets b(ins::rate_limit{.requests_per_minute = 6});  // one every 10 s, at least 1 at once
    EXPECT_FALSE(b.take(t0, 0));
    auto const wait = b.take(t0, 0);
    ASSERT_TRUE(wait);
    EXPECT_EQ(*wait, t0 + 10s);
}

TEST(RateBuckets, TokensGoIntoDebtAndUsageCorrectsTheEstimate)
{
    rate_buckets b(ins::rate_limit{.tokens_per_minute = 6000});  // 100 a second
    EXPECT_FALSE(b.take(t0, 300));  // more than the bucket: goes when full, leaves debt (-200)
    auto wait = b.take(t0, 10);
    ASSERT_TRUE(wait);
    EXPECT_EQ(*wait, t0 + 2100ms);  // from -200 to 10
    b.give_back(t0, 300, 50);       // the reply used 50: 250 come back (50)
    EXPECT_FALSE(b.take(t0, 10));
    // A reply that used more than estimated deepens the debt.
    rate_buckets c(ins::rate_limit{.tokens_per_minute = 6000});
    EXPECT_FALSE(c.take(t0, 100));
    c.give_back(t0, 100, 300);  // 0 - 200
    wait = c.take(t0, 100);
    ASSERT_TRUE(wait);
    EXPECT_EQ(*wait, t0 + 3s);
    // Unknown usage: the estimate stands.
    rate_buckets d(ins::rate_limit{.tokens_per_minute = 6000});
    EXPECT_FALSE(d.take(t0, 100));
    d.give_back(t0, 100, std::nullopt);
    EXPECT_TRUE(d.take(t0, 100));
}

TEST(RateBuckets, PlacesInFlightComeBackAtGiveBack)
{
    rate_buckets b(ins::rate_limit{.max_in_flight = 2});
    EXPECT_FALSE(b.take(t0, 0));
    EXPECT_FALSE(b.take(t0, 0));
    auto const full = b.take(t0, 0);
    ASSERT_TRUE(full);
    EXPECT_EQ(*full, std::chrono::steady_clock::time_point::max());  // until a give_back
    EXPECT_EQ(b.in_flight(), 2u);
    b.give_back(t0, 0, std::nullopt);
    EXPECT_FALSE(b.take(t0, 0));
    // A refused take holds nothing.
    rate_buckets r(ins::rate_limit{.requests_per_minute = 60, .max_in_flight = 5});
    EXPECT_FALSE(r.take(t0, 0));
    EXPECT_TRUE(r.take(t0, 0));
    EXPECT_EQ(r.in_flight(), 1u);
}

TEST(RateBuckets, ARequestNeverSentGivesBackAllItTook)
{
    // Two limiters: the first took, the second had no room; the first gets it all back.
    rate_buckets b(ins::rate_limit{.requests_per_minute = 60, .tokens_per_minute = 6000,
                                   .max_in_flight = 1});
    EXPECT_FALSE(b.take(t0, 100));
    b.untake(t0, 100);
    EXPECT_EQ(b.in_flight(), 0u);
    EXPECT_FALSE(b.take(t0, 100));  // the request, its tokens and its place, all there again
    b.give_back(t0, 100, 100);
    EXPECT_TRUE(b.take(t0, 100));   // sent and answered: spent
}

TEST(RateBuckets, TheProvidersWordPausesEverythingForAMinuteAtMost)
{
    rate_buckets b(ins::rate_limit{.requests_per_minute = 6000});
    b.learn(t0, {.status = 429, .retry_after = 2s});
    auto wait = b.take(t0, 0);
    ASSERT_TRUE(wait);
    EXPECT_EQ(*wait, t0 + 2s);
    EXPECT_FALSE(b.take(t0 + 2s, 0));
    // A 200 with retry-after asks nothing; a spent limit waits for its reset.
    b.learn(t0 + 2s, {.status = 200, .retry_after = 5s});
    EXPECT_FALSE(b.take(t0 + 2s, 0));
    b.learn(t0 + 2s, {.status = 200, .remaining_requests = 0, .requests_reset = 3s});
    wait = b.take(t0 + 2s, 0);
    ASSERT_TRUE(wait);
    EXPECT_EQ(*wait, t0 + 5s);
    b.learn(t0 + 5s, {.status = 200, .remaining_tokens = 5, .tokens_reset = 30s});  // not spent
    EXPECT_FALSE(b.take(t0 + 5s, 0));
    // A hostile server's hour is a minute.
    b.learn(t0 + 5s, {.status = 429, .retry_after = 3600s});
    wait = b.take(t0 + 5s, 0);
    ASSERT_TRUE(wait);
    EXPECT_EQ(*wait, t0 + 5s + rate_buckets::max_pause);
}

TEST(RateBuckets, ALimitOfZeroIsRefused)
{
    for (auto l : {ins::rate_limit{.requests_per_minute = 0}, ins::rate_limit{.tokens_per_minute = 0},
                   ins::rate_limit{.max_in_flight = 0}}) {
        try {
            rate_buckets b(l);
            ADD_FAILURE() << "a limit of 0 was taken";
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code_enum(), ins::errc::invalid_argument);
        }
    }
}

TEST(RateHeaders, OpenAIsResetDurations)
{
    using ins::protocol::parse_reset_duration;
    EXPECT_EQ(parse_reset_duration("1s"), 1000ms);
    EXPECT_EQ(parse_reset_duration("6m0s"), 360'000ms);
    EXPECT_EQ(parse_reset_duration("20ms"), 20ms);
    EXPECT_EQ(parse_reset_duration("0.5s"), 500ms);
    EXPECT_EQ(parse_reset_duration("1h2m3.5s"), 3'723'500ms);
    EXPECT_EQ(parse_reset_duration("999999999h"), 86'400'000ms);  // a day at most
    for (auto bad : {"", "s", "5", "5x", "-1s", "1e9s", "1s ", " 1s", "1.2.3s", "ms"})
        EXPECT_FALSE(parse_reset_duration(bad)) << bad;
}

TEST(RateHeaders, EachProvidersHeadersAreRead)
{
    auto const now = std::chrono::sys_days{std::chrono::year{2026} / 12 / 3} + 4h;
    auto const openai = ins::protocol::rate_signal_of(
        200,
        {{"X-RateLimit-Remaining-Requests", "0"}, {"x-ratelimit-remaining-tokens", "149984"},
         {"x-ratelimit-reset-requests", "1m30s"}, {"x-ratelimit-reset-tokens", "6ms"}},
        now);
    EXPECT_EQ(openai.status, 200u);
    EXPECT_EQ(openai.remaining_requests, 0u);
    EXPECT_EQ(openai.remaining_tokens, 149984u);
    EXPECT_EQ(openai.requests_reset, 90s);
    EXPECT_EQ(openai.tokens_reset, 6ms);
    EXPECT_FALSE(openai.retry_after);

    auto const anthropic = ins::protocol::rate_signal_of(
        429,
        {{"anthropic-ratelimit-requests-remaining", "0"},
         {"anthropic-ratelimit-requests-reset", "2026-12-03T04:00:30Z"},
         {"anthropic-ratelimit-tokens-remaining", "12"},
         {"anthropic-ratelimit-tokens-reset", "2026-12-03T05:00:10.5+01:00"},
         {"retry-after", "7"}},
        now);
    EXPECT_EQ(anthropic.remaining_requests, 0u);
    EXPECT_EQ(anthropic.requests_reset, 30s);
    EXPECT_EQ(anthropic.tokens_reset, 10s);
    EXPECT_EQ(anthropic.retry_after, 7s);

    auto const dated = ins::protocol::rate_signal_of(
        503, {{"Retry-After", "Thu, 03 Dec 2026 04:00:05 GMT"}}, now);
    EXPECT_EQ(dated.retry_after, 5s);
    EXPECT_EQ(ins::protocol::rate_signal_of(429, {{"retry-after-ms", "250"}}, now).retry_after, 250ms);

    // Unreadable values are left unset, never guessed.
    auto const junk = ins::protocol::rate_signal_of(
        429,
        {{"x-ratelimit-remaining-requests", "-1"}, {"x-ratelimit-remaining-tokens", "12abc"},
         {"x-ratelimit-reset-requests", "soon"}, {"anthropic-ratelimit-tokens-reset", "2026-13-40T99:00:00Z"},
         {"retry-after", "later"}},
        now);
    EXPECT_FALSE(junk.remaining_requests);
    EXPECT_FALSE(junk.remaining_tokens);
    EXPECT_FALSE(junk.requests_reset);
    EXPECT_FALSE(junk.tokens_reset);
    EXPECT_FALSE(junk.retry_after);
}

}  // namespace rate_limit_test
