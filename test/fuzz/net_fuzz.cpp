// libFuzzer: any bytes as what a server or a user hands the transport: the retry headers
// (Retry-After in every form, retry-after-ms, x-should-retry), a URL, and an HTTP response fed
// in small pieces through Beast's parser with the transport's limits. Nothing may crash, trip a
// sanitizer, or wait longer than the policy's bounds.
#include <instructor/error.hpp>
#include "net/retry_policy.hpp"
#include "net/url.hpp"

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

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

void http_response(std::string_view bytes)
{
    bhttp::response_parser<bhttp::buffer_body> p;
    p.header_limit(4096);
    p.body_limit(boost::none);
    p.eager(true);
    char body[64];
    std::string pending;
    std::size_t at = 0;
    while (at < bytes.size()) {
        pending.append(bytes.substr(at, 7));
        at += 7;
        if (pending.size() > 8192)
            return;  // the transport's read buffer is bounded: it would fail here
        p.get().body().data = body;
        p.get().body().size = sizeof body;
        boost::system::error_code ec;
        auto used = p.put(boost::asio::buffer(pending.data(), pending.size()), ec);
        if (ec == bhttp::error::need_buffer)
            ec = {};
        if (ec && ec != bhttp::error::need_more)
            return;  // malformed: the transport reports protocol_error
        pending.erase(0, used);
        if (p.is_done())
            return;
    }
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
