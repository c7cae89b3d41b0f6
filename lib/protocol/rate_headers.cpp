#include "protocol/rate_headers.hpp"

#include "net/retry_policy.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <algorithm>
#include <string>

namespace instructor::protocol {

namespace {

using std::chrono::milliseconds;
constexpr double max_ms = 86'400'000.0;

std::optional<std::uint64_t> count_of(std::string_view v)
{
    while (!v.empty() && v.front() == ' ')
        v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ')
        v.remove_suffix(1);
    std::uint64_t n = 0;
    auto const [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || end != v.data() + v.size() || v.empty())
        return std::nullopt;
    return n;
}

/// `2026-12-03T04:05:06Z` (fractions and offsets allowed), as the time from `now`; 0 when past.
std::optional<milliseconds> until_rfc3339(std::string_view v,
                                          std::chrono::system_clock::time_point now)
{
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    std::string const text(v.substr(0, 64));
    int used = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &used) != 6)
        return std::nullopt;
    using namespace std::chrono;
    year_month_day const ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || s > 60)
        return std::nullopt;
    std::string_view rest(text.c_str() + used);
    if (!rest.empty() && rest.front() == '.') {  // a fraction: ignored (a millisecond early)
        rest.remove_prefix(1);
        while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9')
            rest.remove_prefix(1);
    }
    seconds offset{0};
    if (rest == "Z" || rest == "z") {
    }
    else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
        int oh = 0, om = 0;
        if (std::sscanf(std::string(rest).c_str() + 1, "%2d:%2d", &oh, &om) != 2 || oh > 23 || om > 59)
            return std::nullopt;
        offset = hours{oh} + minutes{om};
        if (rest[0] == '-')
            offset = -offset;
    }
    else
        return std::nullopt;
    auto const at = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} - offset;
    auto const left = duration_cast<milliseconds>(at - time_point_cast<seconds>(now));
    return std::clamp(left, milliseconds{0}, milliseconds{static_cast<std::int64_t>(max_ms)});
}

}  // namespace

std::optional<milliseconds> parse_reset_duration(std::string_view text)
{
    if (text.empty() || text.size() > 64)
        return std::nullopt;
    double total = 0;
    bool any = false;
    while (!text.empty()) {
        std::size_t i = 0;
        while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.'))
            ++i;
        if (i == 0)
            return std::nullopt;
        double n = 0;
        auto const [end, ec] = std::from_chars(text.data(), text.data() + i, n);
        if (ec != std::errc{} || end != text.data() + i || !std::isfinite(n))
            return std::nullopt;
        text.remove_prefix(i);
        double unit = 0;
        if (text.starts_with("ms")) {
            unit = 1;
            text.remove_prefix(2);
        }
        else if (text.starts_with("h")) {
            unit = 3'600'000;
            text.remove_prefix(1);
        }
        else if (text.starts_with("m")) {
            unit = 60'000;
            text.remove_prefix(1);
        }
        else if (text.starts_with("s")) {
            unit = 1'000;
            text.remove_prefix(1);
        }
        else
            return std::nullopt;
        total += n * unit;
        any = true;
    }
    if (!any)
        return std::nullopt;
    return milliseconds{std::llround(std::min(total, max_ms))};
}

rate_limit_signal rate_signal_of(unsigned status, std::vector<net::header> const& headers,
                                 std::chrono::system_clock::time_point now)
{
    rate_limit_signal s;
    s.status = status;
    auto const first = [&](std::string_view a, std::string_view b) {
        auto v = net::find_header(headers, a);
        return v ? v : net::find_header(headers, b);
    };
    if (auto v = first("x-ratelimit-remaining-requests", "anthropic-ratelimit-requests-remaining"))
        s.remaining_requests = count_of(*v);
    if (auto v = first("x-ratelimit-remaining-tokens", "anthropic-ratelimit-tokens-remaining"))
        s.remaining_tokens = count_of(*v);
    if (auto v = net::find_header(headers, "x-ratelimit-reset-requests"))
        s.requests_reset = parse_reset_duration(*v);
    else if (auto a = net::find_header(headers, "anthropic-ratelimit-requests-reset"))
        s.requests_reset = until_rfc3339(*a, now);
    if (auto v = net::find_header(headers, "x-ratelimit-reset-tokens"))
        s.tokens_reset = parse_reset_duration(*v);
    else if (auto a = net::find_header(headers, "anthropic-ratelimit-tokens-reset"))
        s.tokens_reset = until_rfc3339(*a, now);
    net::attempt_outcome retry;
    if (auto v = net::find_header(headers, "retry-after"))
        retry.retry_after = std::string(*v);
    if (auto v = net::find_header(headers, "retry-after-ms"))
        retry.retry_after_ms = std::string(*v);
    s.retry_after = net::server_delay(retry, now);
    return s;
}

}  // namespace instructor::protocol
