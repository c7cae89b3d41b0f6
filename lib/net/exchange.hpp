// One HTTP exchange on a leased connection: the request written, the response read through one
// bounded read loop, for whole bodies and streams alike (private to lib/net).
#pragma once

#include "pool.hpp"
#include "proxy.hpp"
#include "response_parser.hpp"

#include <instructor/net/http_types.hpp>

#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace instructor::net::detail {

namespace bhttp = boost::beast::http;

/// Throws ins::error(invalid_argument) for what no request may be sent with: a body and a
/// body_file, an unknown method, a header check_field refuses.
void check_request(http_request const& r);

/// The Beast request for `r` (checked) to `ep`; through `proxy` (an http origin's), in absolute
/// form with the proxy's credentials. Its body is a view of `r.body` (no copy: `r` outlives the
/// attempt).
bhttp::request<bhttp::span_body<char const>> make_request(http_request const& r, endpoint const& ep,
                                                std::string const& user_agent,
                                                proxy_endpoint const* proxy = nullptr);

/// The head of `h` as Beast's serializer writes it (the start line, the fields in their order,
/// the blank line), in one string: the body follows it on the wire as a second buffer, with no
/// serializer's pass over a concatenated buffer sequence per write.
std::string request_head(bhttp::request_header<> const& h);

/// The head of the request make_request makes (request_head of it), written straight from `r`
/// when its headers need none of Beast's field rules (the common request: no header replacing
/// another, no framing header, no signer); else through make_request.
std::string write_head(http_request const& r, endpoint const& ep, std::string const& user_agent,
                       proxy_endpoint const* proxy = nullptr);

/// The response side of an exchange (and, once handed out, an http_stream's state).
struct stream_impl {
    lease held;
    response_parser parser;
    unsigned status = 0;
    std::vector<header> headers;
    std::chrono::milliseconds idle_timeout{};
    std::optional<steady::time_point> deadline;  // bounds every read, when set
    std::size_t max_body = 0;
    std::shared_ptr<fault_hook const> fault;  // tests only
    std::size_t body_bytes = 0;
    std::unique_ptr<char[]> scratch;  // what a read fills, then appended: no zero-fill of `out`
    std::size_t piece = 0;            // its size
    bool done = false;
    bool failed = false;

    /// The one read loop: appends the next body bytes to `out` (reading until some arrived or
    /// the body ended); false once the body is complete. Each read waits at most idle_timeout
    /// (and never past `deadline`). Throws ins::error: timeout, connection_failed (closed
    /// mid-body), response_too_large (past max_body, or framing that overflows the connection's
    /// buffer), protocol_error, cancelled. After a throw the connection is closed.
    boost::asio::awaitable<bool> read_body(std::string& out);
};

}  // namespace instructor::net::detail
