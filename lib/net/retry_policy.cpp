#include "net/retry_policy.hpp"

#include "net/header_field.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>

namespace instructor::net {
namespace {

using detail::trim_ows;
using seconds_f = std::chrono::duration<double>;

constexpr double initial_delay_s = 0.5;
constexpr double max_delay_s = 8.0;
constexpr double max_header_delay_s = 60.0;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return lower(x) == lower(y); });
}

// What Python's float() accepts, near enough: surrounding blanks, a sign, decimals, exponents.
std::optional<double> parse_number(std::string_view s)
{
    s = trim_ows(s);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
    double v = 0;
    auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<int> parse_digits(std::string_view s, std::size_t min_len, std::size_t max_len)
{
    if (s.size() < min_len || s.size() > max_len) return std::nullopt;
    int v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

std::optional<unsigned> parse_month(std::string_view s)
{
    static constexpr std::array<std::string_view, 12> names{
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (std::size_t i = 0; i < names.size(); ++i)
        if (iequals(s, names[i])) return static_cast<unsigned>(i + 1);
    return std::nullopt;
}

bool is_day_name(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(),
                                     [](char c) { return lower(c) >= 'a' && lower(c) <= 'z'; });
}

// "HH:MM:SS" as seconds since midnight; 60 seconds allowed for a leap second.
std::optional<int> parse_time_of_day(std::string_view s)
{
    if (s.size() != 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
    auto const h = parse_digits(s.substr(0, 2), 2, 2);
    auto const m = parse_digits(s.substr(3, 2), 2, 2);
    auto const sec = parse_digits(s.substr(6, 2), 2, 2);
    if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) return std::nullopt;
    return *h * 3600 + *m * 60 + *sec;
}

bool is_gmt(std::string_view s) { return s == "GMT"; }

std::optional<std::chrono::system_clock::time_point> make_time(std::optional<int> y,
                                                               std::optional<unsigned> m,
                                                               std::optional<int> d,
                                                               std::optional<int> time_of_day)
{
    using namespace std::chrono;
    if (!y || !m || !d || !time_of_day) return std::nullopt;
    year_month_day const ymd{year{*y}, month{*m}, day{static_cast<unsigned>(*d)}};
    if (!ymd.ok()) return std::nullopt;
    // In seconds first: a date the clock's finer duration cannot hold (year 9999 in nanoseconds)
    // saturates instead of overflowing.
    auto const at = sys_days{ymd} + seconds{*time_of_day};
    auto const limit = duration_cast<seconds>(system_clock::duration::max());
    if (at.time_since_epoch() >= limit) return system_clock::time_point::max();
    if (at.time_since_epoch() <= -limit) return system_clock::time_point::min();
    return time_point_cast<system_clock::duration>(at);
}

// The server's requested wait in seconds, if any header holds a readable one.
std::optional<double> header_delay(attempt_outcome const& o,
                                   std::chrono::system_clock::time_point now)
{
    if (o.retry_after_ms) {
        // As in the official SDKs, a numeric retry-after-ms wins even when out of range.
        if (auto const ms = parse_number(*o.retry_after_ms)) return *ms / 1000;
    }
    if (!o.retry_after) return std::nullopt;
    if (auto const s = parse_number(*o.retry_after)) return *s;
    if (auto const at = parse_http_date(*o.retry_after))  // past dates: no wait asked
        return *at > now ? std::chrono::duration_cast<seconds_f>(*at - now).count() : 0.0;
    return std::nullopt;
}

std::chrono::milliseconds to_millis(double seconds)
{
    return std::chrono::milliseconds{std::llround(seconds * 1000)};
}

std::optional<bool> should_retry_header(attempt_outcome const& o)
{
    if (!o.should_retry) return std::nullopt;
    auto const v = trim_ows(*o.should_retry);
    if (iequals(v, "true")) return true;
    if (iequals(v, "false")) return false;
    return std::nullopt;
}

bool should_retry(attempt_outcome const& o)
{
    // Only failures are retried: a response below 400 that fully arrived is a result.
    if (!o.network_error && (!o.status || *o.status < 400)) return false;
    if (auto const h = should_retry_header(o)) return *h;
    return o.network_error || is_retryable_status(*o.status);
}

}  // namespace

bool is_retryable_status(unsigned status) noexcept
{
    return status == 408 || status == 409 || status == 429 || status >= 500;
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text)
{
    std::array<std::string_view, 6> t;
    std::size_t n = 0;
    text = trim_ows(text);
    while (!text.empty()) {
        if (n == t.size()) return std::nullopt;
        auto const end = std::min(text.find(' '), text.size());
        t[n++] = text.substr(0, end);
        text = trim_ows(text.substr(end));
    }
    auto const day_name_comma = [](std::string_view s) {
        return s.size() > 1 && s.back() == ',' && is_day_name(s.substr(0, s.size() - 1));
    };
    if (n == 6) {  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        if (!day_name_comma(t[0]) || !is_gmt(t[5])) return std::nullopt;
        return make_time(parse_digits(t[3], 4, 4), parse_month(t[2]), parse_digits(t[1], 1, 2),
                         parse_time_of_day(t[4]));
    }
    if (n == 4) {  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        if (!day_name_comma(t[0]) || !is_gmt(t[3])) return std::nullopt;
        auto const date = t[1];
        if (date.size() != 9 || date[2] != '-' || date[6] != '-') return std::nullopt;
        auto year = parse_digits(date.substr(7, 2), 2, 2);
        // Python's email.utils rule for two-digit years.
        if (year) *year += *year > 68 ? 1900 : 2000;
        return make_time(year, parse_month(date.substr(3, 3)),
                         parse_digits(date.substr(0, 2), 2, 2), parse_time_of_day(t[2]));
    }
    if (n == 5) {  // asctime: Sun Nov  6 08:49:37 1994
        if (!is_day_name(t[0])) return std::nullopt;
        return make_time(parse_digits(t[4], 4, 4), parse_month(t[1]), parse_digits(t[2], 1, 2),
                         parse_time_of_day(t[3]));
    }
    return std::nullopt;
}

retry_decision decide_retry(attempt_outcome const& o, int retries_done, int max_retries,
                            double random01, std::chrono::system_clock::time_point now)
{
    if (retries_done >= max_retries || !should_retry(o)) return {};
    if (auto const h = header_delay(o, now); h && *h > 0 && *h <= max_header_delay_s)
        return {true, to_millis(*h)};
    // Capped so that ldexp stays finite whatever the caller passes.
    int const n = std::clamp(retries_done, 0, 1000);
    double const r = std::isnan(random01) ? 0.0 : std::clamp(random01, 0.0, 1.0);
    double const base = std::min(std::ldexp(initial_delay_s, n), max_delay_s);
    return {true, to_millis(base * (1 - 0.25 * r))};
}

std::optional<std::chrono::milliseconds> server_delay(attempt_outcome const& o,
                                                     std::chrono::system_clock::time_point now)
{
    auto const s = header_delay(o, now);
    if (!s || !std::isfinite(*s) || *s < 0)
        return std::nullopt;
    return to_millis(std::min(*s, 86'400.0));  // a day at most: a duration, never an overflow
}

}  // namespace instructor::net
