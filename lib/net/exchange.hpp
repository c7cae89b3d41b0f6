// One HTTP exchange on a leased connection: the request written, the response read through one
// bounded read loop, for whole bodies and streams alike (private to lib/net).
#pragma once

#include "pool.hpp"
#include "proxy.hpp"
#include "response_parser.hpp"

#include <instructor/net/http_types.hpp>

#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/message.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

/// The proxy a request's head is written for: an http origin's (its absolute form and its
/// credentials); none for an https origin's, whose requests go inside the proxy's tunnel.
inline proxy_endpoint const* head_proxy(endpoint const& ep, proxy_endpoint const* proxy) noexcept
{
    return ep.tls ? nullptr : proxy;
}

/// The fields write_head writes first for every request to `ep` (through `proxy`, an http
/// origin's), as it writes them: Host, the proxy's credentials, User-Agent. A pool keeps them
/// for its requests (they are all the same).
std::string head_fields(endpoint const& ep, std::string const& user_agent,
                        proxy_endpoint const* proxy = nullptr);

/// write_head with its first fields given (`fields`, head_fields' for `ep`, `user_agent` and
/// `proxy`).
std::string write_head_after(std::string_view fields, http_request const& r, endpoint const& ep,
                             std::string const& user_agent, proxy_endpoint const* proxy);

/// What write_now sent of a request: its head (write_rest sends the rest of this one: a signed
/// head is not the same when built again), the bytes the kernel took, and whether that was all.
struct sent_now {
    std::string head;
    std::size_t bytes = 0;
    bool whole = false;
};

/// `r` written on the plain connection `c` to `ep` (through `proxy`, an http origin's) now, as
/// far as the kernel takes it (`ec` set on a failure; nothing sent once the watch closed the
/// socket), for write_rest to finish; nullopt for a request write_request writes (TLS, a body
/// file). Not a coroutine: a request the kernel takes whole, most of them, costs no frame, no
/// operation and no pass of the scheduler.
std::optional<sent_now> write_now(connection& c, http_request const& r, endpoint const& ep,
                                  std::string const& fields, std::string const& user_agent,
                                  proxy_endpoint const* proxy, boost::system::error_code& ec);

/// What write_now left of `head` and `body`, written on the plain connection `c`. A coroutine
/// of its own: the head is held while it writes, not by the exchange while it waits.
boost::asio::awaitable<boost::system::error_code> write_rest(connection& c, std::string head,
                                                             std::string_view body,
                                                             std::size_t sent);

/// `r` written whole on `c` (TLS, or a body file: the head as built and the body streamed from
/// the file, from its start). A coroutine of its own: the head (or Beast's request and the
/// file) is built for the write and gone when it ends, not held by the exchange while it
/// waits for the response.
boost::asio::awaitable<boost::system::error_code> write_request(connection& c, http_request const& r,
                                                                endpoint const& ep,
                                                                std::string const& fields,
                                                                std::string const& user_agent,
                                                                proxy_endpoint const* proxy);

/// The response's head parsed from what has arrived on the plain connection `c`: true when the
/// head is whole or `ec` ends it; false when the rest is to be awaited (async_read_header goes
/// on from where the parser and the buffer stopped).
bool read_head_now(connection& c, response_parser& p, boost::system::error_code& ec);

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
    /// A whole body read into one string (not a stream's pieces): one of a known length up to
    /// 16 KB is read straight into it.
    bool whole = false;
    std::unique_ptr<char[]> scratch;  // what a read not made into `out` fills, then appended
    std::size_t piece = 0;            // its size
    std::size_t read_now = 0;         // bytes read without giving up the thread (read_body)
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
