// libFuzzer: any bytes as what a server or a user hands the transport: the retry headers
// (Retry-After in every form, retry-after-ms, x-should-retry), a URL, and an HTTP response fed
// in small pieces through the transport's parser with its limits, held to Beast's own parser.
// Nothing may crash, trip a sanitizer, wait longer than the policy's bounds, or read a
// response otherwise than Beast does.
#include <instructor/error.hpp>
#include "net/response_parser.hpp"
#include "net/retry_policy.hpp"
#include "net/url.hpp"

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

// Boost's assertions abort here as anywhere, but one: Beast 1.81 asserts that a chunk header
// it comes back to has five bytes, which a final chunk cut after "0\r\n" has not; the code
// after it asks for more bytes, rightly (boostorg/beast#2861, the assertion fixed in 1.86).
namespace boost {
void assertion_failed(char const* expr, char const* function, char const* file, long line)
{
    if (std::string_view(expr) == "n >= 5" && std::string_view(file).ends_with("basic_parser.ipp"))
        return;
    std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed.\n", file, line, function, expr);
    std::abort();
}
void assertion_failed_msg(char const* expr, char const* msg, char const* function,
                          char const* file, long line)
{
    std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed: %s\n", file, line, function, expr, msg);
    std::abort();
}
}  // namespace boost

namespace {

namespace net = instructor::net;
namespace bhttp = boost::beast::http;

void retry_headers(std::string_view text)
{
    using namespace std::chrono;
    for (auto now : {system_clock::time_point{}, system_clock::now(), system_clock::time_point::max(),
                     system_clock::time_point::min()}) {
        net::attempt_outcome o;
        o.status = 429;
        o.retry_after = std::string(text);
        auto d = net::decide_retry(o, 0, 2, 0.5, now);
        if (d.retry && (d.delay < milliseconds::zero() || d.delay > seconds(60)))
            std::abort();  // the policy never waits outside (0, 60 s]
        o.retry_after_ms = std::string(text);
        (void)net::decide_retry(o, 1, 2, 0.0, now);
        o.should_retry = std::string(text);
        (void)net::decide_retry(o, 5, 10, 1.0, now);
    }
    (void)net::parse_http_date(text);
}

void url(std::string_view text)
{
    try {
        auto ep = net::parse_url(text);
        if (ep.port == 0 || ep.target.empty() || ep.target.front() != '/')
            std::abort();
        (void)ep.origin();
    }
    catch (instructor::error const&) {
    }
    (void)net::join_url(text, "chat/completions");
}

/// How a response is cut: its pieces, the body's room a read, whether the parser is eager.
struct cuts {
    std::size_t piece;
    std::size_t room;
    bool eager;
};

/// Feeds `bytes` to `p` in pieces, its body into a few bytes of room at a time (as the
/// transport's read loop), with the transport's limits; what it gave, or the error it ended on.
template <class Parser, class Room>
std::string parse_in_pieces(Parser& p, std::string_view bytes, cuts const& k, Room give_room)
{
    p.header_limit(4096);
    p.body_limit(boost::none);
    p.eager(k.eager);
    char body[64];
    std::string pending, got;
    std::size_t at = 0;
    while (at < bytes.size()) {
        pending.append(bytes.substr(at, k.piece));
        at += k.piece;
        if (pending.size() > 8192)
            return got + "|overflow";  // the transport's read buffer is bounded: it fails here
        give_room(p, body, k.room);
        boost::system::error_code ec;
        auto used = p.put(boost::asio::buffer(pending.data(), pending.size()), ec);
        got.append(body, k.room - give_room(p, nullptr, 0));  // what the put wrote
        if (ec == bhttp::error::need_buffer)
            ec = {};
        if (ec && ec != bhttp::error::need_more)
            return got + "|" + ec.message();  // the transport reports protocol_error
        pending.erase(0, used);
        if (p.is_done())
            return got + "|done";
    }
    return got + "|short";
}

/// The transport's response parser against Beast's own (response_parser<buffer_body>): the same
/// status, reason, fields, body bytes, end and error for any bytes, however they are cut.
void http_response(std::string_view bytes)
{
    bhttp::response_parser<bhttp::buffer_body> theirs;
    auto their_room = [](auto& p, char* at, std::size_t n) {
        if (at) {
            p.get().body().data = at;
            p.get().body().size = n;
        }
        return p.get().body().size;
    };
    net::detail::response_parser ours;
    auto our_room = [](auto& p, char* at, std::size_t n) {
        if (at) {
            p.room = at;
            p.room_size = n;
        }
        return p.room_size;
    };
    // The cuts from the input's hash: the recorded responses stay whole seeds.
    auto const h = std::hash<std::string_view>{}(bytes);
    cuts const k{1 + h % 16, 1 + (h >> 8) % 64, ((h >> 16) & 1) != 0};
    auto const a = parse_in_pieces(theirs, bytes, k, their_room);
    auto const b = parse_in_pieces(ours, bytes, k, our_room);
    if (a != b || ours.is_header_done() != theirs.is_header_done())
        std::abort();
    if (!ours.is_header_done())
        return;
    if (ours.status != static_cast<unsigned>(theirs.get().result_int()) ||
        ours.reason != theirs.get().reason() || ours.keep_alive() != theirs.keep_alive())
        std::abort();
    // The same fields, each name's values in the same order. Beast files a repeated name after
    // its last one (Set-Cookie, Set-Cookie, Date where the wire had Set-Cookie, Date,
    // Set-Cookie); the transport keeps the wire's order. A lookup (the first of a name) and
    // the values of one name read the same from both.
    auto by_name = [](std::vector<net::header> h) {
        auto lower = [](std::string s) {
            for (auto& c : s)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            return s;
        };
        std::stable_sort(h.begin(), h.end(),
                         [&](auto const& x, auto const& y) { return lower(x.name) < lower(y.name); });
        return h;  // names as spelled, grouped
    };
    std::vector<net::header> their_fields;
    for (auto const& f : theirs.get().base())
        their_fields.push_back({std::string(f.name_string()), std::string(f.value())});
    auto const x = by_name(std::move(their_fields)), y = by_name(ours.headers);
    if (x.size() != y.size())
        std::abort();
    for (std::size_t i = 0; i < x.size(); ++i)
        if (x[i].name != y[i].name || x[i].value != y[i].value)
            std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<char const*>(data), size);
    retry_headers(text);
    url(text);
    http_response(text);
    return 0;
}
