// The network retry policy: which failures are retried, and how long to wait.
#include "net/retry_policy.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <string>
#include <vector>

namespace retry_policy_test {

using namespace std::chrono;
using namespace std::chrono_literals;
using instructor::net::attempt_outcome;
using instructor::net::decide_retry;
using instructor::net::is_retryable_status;
using instructor::net::parse_http_date;
using instructor::net::retry_decision;

namespace {

// 1994-11-06 08:49:07 UTC: 30 s before the date in RFC 9110's examples.
system_clock::time_point const now = sys_days{year{1994} / November / day{6}} + 8h + 49min + 7s;

attempt_outcome status(unsigned s)
{
    attempt_outcome o;
    o.status = s;
    return o;
}

attempt_outcome network_error()
{
    attempt_outcome o;
    o.network_error = true;
    return o;
}

attempt_outcome with_should_retry(attempt_outcome o, std::string v)
{
    o.should_retry = std::move(v);
    return o;
}

attempt_outcome with_retry_after(std::string v, unsigned s = 429)
{
    auto o = status(s);
    o.retry_after = std::move(v);
    return o;
}

attempt_outcome with_retry_after_ms(std::string v, unsigned s = 429)
{
    auto o = status(s);
    o.retry_after_ms = std::move(v);
    return o;
}

// First retry, no jitter: the exponential delay is 500 ms.
retry_decision first(attempt_outcome const& o) { return decide_retry(o, 0, 2, 0.0, now); }

bool retried(attempt_outcome const& o) { return first(o).retry; }

milliseconds delay_of(attempt_outcome const& o)
{
    auto const d = first(o);
    EXPECT_TRUE(d.retry);
    return d.delay;
}

}  // namespace

TEST(RetryStatus, RetryableStatuses)
{
    for (unsigned s : {408u, 409u, 429u, 500u, 502u, 503u, 504u, 529u, 599u, 600u}) {
        EXPECT_TRUE(is_retryable_status(s)) << s;
        EXPECT_TRUE(retried(status(s))) << s;
    }
}

TEST(RetryStatus, ClientErrorsAreNotRetried)
{
    for (unsigned s : {400u, 401u, 402u, 403u, 404u, 405u, 410u, 413u, 418u, 422u, 499u}) {
        EXPECT_FALSE(is_retryable_status(s)) << s;
        EXPECT_EQ(first(status(s)), retry_decision{}) << s;
    }
}

TEST(RetryStatus, SuccessIsNeverRetried)
{
    for (unsigned s : {100u, 200u, 201u, 204u, 301u, 304u}) {
        EXPECT_FALSE(retried(status(s))) << s;
        EXPECT_FALSE(retried(with_should_retry(status(s), "true"))) << s;
    }
    EXPECT_FALSE(retried(attempt_outcome{}));  // nothing failed
}

TEST(RetryNetwork, NetworkErrorsAreRetried)
{
    EXPECT_EQ(first(network_error()), (retry_decision{true, 500ms}));
    auto o = network_error();
    o.status = 200;  // the body broke off after the headers
    EXPECT_TRUE(retried(o));
}

TEST(RetryShouldRetryHeader, TrueOverridesTheStatus)
{
    for (char const* v : {"true", "TRUE", "True", " true "}) {
        EXPECT_TRUE(retried(with_should_retry(status(400), v))) << v;
        EXPECT_TRUE(retried(with_should_retry(status(401), v))) << v;
    }
}

TEST(RetryShouldRetryHeader, FalseOverridesTheStatus)
{
    for (char const* v : {"false", "FALSE", "False"}) {
        EXPECT_FALSE(retried(with_should_retry(status(503), v))) << v;
        EXPECT_FALSE(retried(with_should_retry(status(429), v))) << v;
        EXPECT_FALSE(retried(with_should_retry(network_error(), v))) << v;
    }
}

TEST(RetryShouldRetryHeader, OtherValuesAreIgnored)
{
    for (char const* v : {"", "yes", "1", "no", "0", "truee"}) {
        EXPECT_TRUE(retried(with_should_retry(status(503), v))) << v;
        EXPECT_FALSE(retried(with_should_retry(status(400), v))) << v;
    }
}

TEST(RetryMax, NoRetryOnceTheBudgetIsSpent)
{
    EXPECT_TRUE(decide_retry(status(503), 1, 2, 0.0, now).retry);
    EXPECT_FALSE(decide_retry(status(503), 2, 2, 0.0, now).retry);
    EXPECT_FALSE(decide_retry(status(503), 3, 2, 0.0, now).retry);
    EXPECT_FALSE(decide_retry(status(503), 0, 0, 0.0, now).retry);
    EXPECT_FALSE(decide_retry(status(503), 0, -1, 0.0, now).retry);
    // The budget wins over the server's request too.
    EXPECT_FALSE(decide_retry(with_should_retry(status(503), "true"), 2, 2, 0.0, now).retry);
}

TEST(RetryDelay, ExponentialSequence)
{
    std::vector<milliseconds> got;
    for (int n = 0; n < 6; ++n) got.push_back(decide_retry(status(500), n, 10, 0.0, now).delay);
    EXPECT_EQ(got, (std::vector<milliseconds>{500ms, 1000ms, 2000ms, 4000ms, 8000ms, 8000ms}));
    EXPECT_EQ(decide_retry(status(500), 1000, INT_MAX, 0.0, now).delay, 8000ms);
    EXPECT_EQ(decide_retry(status(500), INT_MAX - 1, INT_MAX, 0.0, now).delay, 8000ms);
}

TEST(RetryDelay, JitterTakesOffAtMostAQuarter)
{
    for (int n = 0; n < 6; ++n) {
        auto const base = decide_retry(status(500), n, 10, 0.0, now).delay;
        auto const low = decide_retry(status(500), n, 10, 0.999999, now).delay;
        EXPECT_LE(low, base);
        EXPECT_GE(low.count(), base.count() * 3 / 4) << n;
        EXPECT_LE(low.count(), base.count() * 3 / 4 + 1) << n;
    }
    EXPECT_EQ(decide_retry(status(500), 4, 10, 0.5, now).delay, 7000ms);
}

TEST(RetryHeader, RetryAfterMs)
{
    EXPECT_EQ(delay_of(with_retry_after_ms("1500")), 1500ms);
    EXPECT_EQ(delay_of(with_retry_after_ms(" 250.4 ")), 250ms);
    EXPECT_EQ(delay_of(with_retry_after_ms("60000")), 60000ms);
    EXPECT_EQ(delay_of(with_retry_after_ms("1e3")), 1000ms);
    // A server's wait also replaces the exponential delay of later retries.
    EXPECT_EQ(decide_retry(with_retry_after_ms("1500"), 4, 10, 0.9, now).delay, 1500ms);
}

TEST(RetryHeader, RetryAfterMsWinsOverRetryAfter)
{
    auto o = with_retry_after_ms("100");
    o.retry_after = "5";
    EXPECT_EQ(delay_of(o), 100ms);
    // A readable but out-of-range retry-after-ms does not fall back to Retry-After (as in
    // openai-python): the exponential delay applies.
    o.retry_after_ms = "0";
    EXPECT_EQ(delay_of(o), 500ms);
    // An unreadable one does.
    o.retry_after_ms = "soon";
    EXPECT_EQ(delay_of(o), 5000ms);
}

TEST(RetryHeader, RetryAfterSeconds)
{
    EXPECT_EQ(delay_of(with_retry_after("2")), 2000ms);
    EXPECT_EQ(delay_of(with_retry_after("1.5")), 1500ms);
    EXPECT_EQ(delay_of(with_retry_after("0.25")), 250ms);
    EXPECT_EQ(delay_of(with_retry_after("60")), 60000ms);
    EXPECT_EQ(delay_of(with_retry_after("+3")), 3000ms);
    EXPECT_EQ(delay_of(with_retry_after("1.1", 503)), 1100ms);
}

TEST(RetryHeader, OutOfRangeOrGarbageFallsBackToExponential)
{
    for (char const* v : {"0", "0.0", "-1", "-0.5", "1e9", "inf", "-inf", "nan", "", " ", "abc",
                          "1.5s", "0x10", "1,5", "--1", "2 3", "\x01\xff"}) {
        EXPECT_EQ(delay_of(with_retry_after(v)), 500ms) << v;
        EXPECT_EQ(delay_of(with_retry_after_ms(v)), 500ms) << v;
    }
    for (char const* v : {"61", "60.001", "3600"}) EXPECT_EQ(delay_of(with_retry_after(v)), 500ms);
    for (char const* v : {"60001", "61000", "-100"})
        EXPECT_EQ(delay_of(with_retry_after_ms(v)), 500ms);
}

TEST(RetryHeader, HeadersDoNotMakeAFailureRetryable)
{
    EXPECT_EQ(first(with_retry_after("1", 400)), retry_decision{});
    EXPECT_EQ(first(with_retry_after_ms("1", 200)), retry_decision{});
}

TEST(RetryHeader, HttpDateForms)
{
    EXPECT_EQ(delay_of(with_retry_after("Sun, 06 Nov 1994 08:49:37 GMT")), 30000ms);
    EXPECT_EQ(delay_of(with_retry_after("Sunday, 06-Nov-94 08:49:37 GMT")), 30000ms);
    EXPECT_EQ(delay_of(with_retry_after("Sun Nov  6 08:49:37 1994")), 30000ms);
    EXPECT_EQ(delay_of(with_retry_after("Sun, 06 Nov 1994 08:50:07 GMT")), 60000ms);
    EXPECT_EQ(delay_of(with_retry_after("Sun, 06 Nov 1994 08:49:08 GMT")), 1000ms);
}

TEST(RetryHeader, HttpDateOutOfRangeFallsBackToExponential)
{
    for (char const* v : {"Sun, 06 Nov 1994 08:49:07 GMT",    // now
                          "Sun, 06 Nov 1994 08:49:06 GMT",    // past
                          "Sat, 05 Nov 1994 08:49:37 GMT",    // a day ago
                          "Thu, 01 Jan 1970 00:00:00 GMT",    // long ago
                          "Sun, 06 Nov 1994 08:50:08 GMT",    // 61 s ahead
                          "Mon, 07 Nov 1994 08:49:37 GMT"}) {  // a day ahead
        EXPECT_EQ(delay_of(with_retry_after(v)), 500ms) << v;
    }
}

TEST(RetryHttpDate, ParsesTheThreeForms)
{
    auto const expected = sys_days{year{1994} / November / day{6}} + 8h + 49min + 37s;
    EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
    EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
    EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), expected);
    EXPECT_EQ(parse_http_date("Sun Nov 06 08:49:37 1994"), expected);
    EXPECT_EQ(parse_http_date("  sun, 6 nov 1994 08:49:37 GMT "), expected);
    EXPECT_EQ(parse_http_date("Wed, 29 Feb 2012 23:59:60 GMT"),
              sys_days{year{2012} / February / day{29}} + 23h + 59min + 60s);
    EXPECT_EQ(parse_http_date("Friday, 31-Dec-99 00:00:00 GMT"),
              sys_days{year{1999} / December / day{31}});
    EXPECT_EQ(parse_http_date("Thursday, 01-Jan-30 00:00:00 GMT"),
              sys_days{year{2030} / January / day{1}});
}

TEST(RetryHttpDate, RejectsMalformedDates)
{
    for (char const* v : {"", "GMT", "Sun, 31 Feb 1994 08:49:37 GMT",
                          "Sun, 29 Feb 1995 00:00:00 GMT",
                          "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT",
                          "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 06 Nov 1994 8:49:37 GMT",
                          "Sun, 06 Nov 94 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
                          "Sun 06 Nov 1994 08:49:37 GMT", "06 Nov 1994 08:49:37 GMT",
                          "Sun, 00 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT extra",
                          "Sunday, 06-Nov-1994 08:49:37 GMT", "Sunday, 06 Nov 94 08:49:37 GMT",
                          "Sun Nov 6 08:49:37 94", "Sun Nov 6 08:49:37", "1994-11-06T08:49:37Z",
                          "Sun, -6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37.5 GMT"}) {
        EXPECT_FALSE(parse_http_date(v)) << v;
    }
}

TEST(RetryDelay, OutOfRangeRandomIsClamped)
{
    EXPECT_EQ(decide_retry(status(500), 0, 2, -3.0, now).delay, 500ms);
    EXPECT_EQ(decide_retry(status(500), 0, 2, 7.0, now).delay, 375ms);
    EXPECT_EQ(decide_retry(status(500), 0, 2, std::nan(""), now).delay, 500ms);
    EXPECT_EQ(decide_retry(status(500), -5, 2, 0.0, now).delay, 500ms);
}

// Dates the clock's nanoseconds cannot hold (year 9999, year 1): they saturate, so the delay is
// out of range and the exponential backoff applies; no overflow (UBSan watches this test).
TEST(RetryHttpDate, FarDatesSaturate)
{
    EXPECT_EQ(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"), system_clock::time_point::max());
    EXPECT_EQ(parse_http_date("Mon, 01 Jan 0001 00:00:00 GMT"), system_clock::time_point::min());
    EXPECT_EQ(delay_of(with_retry_after("Fri, 31 Dec 9999 23:59:59 GMT")), 500ms);
    EXPECT_EQ(delay_of(with_retry_after("Mon, 01 Jan 0001 00:00:00 GMT")), 500ms);
    EXPECT_EQ(decide_retry(with_retry_after("Fri, 31 Dec 9999 23:59:59 GMT"), 0, 2, 0.0,
                           system_clock::time_point::max())
                  .delay,
              500ms);
}

}  // namespace retry_policy_test
