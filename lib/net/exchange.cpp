// The request written and the response read: one read loop for every body.
#include "exchange.hpp"

#include "clock.hpp"
#include "header_field.hpp"
#include "net_errors.hpp"
#include "socket_now.hpp"

#include <instructor/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <optional>

namespace instructor::net::detail {

namespace asio = boost::asio;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

void check_request(http_request const& r)
{
    if (!r.body.empty() && !r.body_file.empty())
        throw error(errc::invalid_argument, "a request has both a body and a body_file");
    if (bhttp::string_to_verb(r.method) == bhttp::verb::unknown)
        throw error(errc::invalid_argument, "unknown HTTP method " + r.method);
    for (auto const& h : r.headers)
        check_field(h.name, h.value);
}

namespace {

/// The Host header's value: the port only when it is not the scheme's.
std::string host_of(endpoint const& ep)
{
    bool const default_port = ep.port == (ep.tls ? 443 : 80);
    std::string host = ep.host.find(':') != std::string::npos ? "[" + ep.host + "]" : ep.host;
    if (!default_port)
        host += ":" + std::to_string(ep.port);
    return host;
}

/// A proxy is asked for the whole URL (RFC 9112 absolute-form).
std::string target_of(endpoint const& ep, std::string const& host, proxy_endpoint const* proxy)
{
    return proxy ? "http://" + host + ep.target : ep.target;
}

/// True when the request needs none of Beast's field rules but the trimming of values: none of
/// its headers replaces a header the request gets anyway or one given before it, none is one
/// its framing rewrites (Connection, Content-Length, Transfer-Encoding), no signer adds more,
/// and its method is one of the common five (its fields were checked: check_request).
bool headers_as_given(http_request const& r)
{
    if (r.sign)
        return false;
    // The methods whose framing below is Beast's (TRACE with a body, say, Beast refuses).
    bool known = false;
    for (std::string_view m : {"POST", "GET", "PUT", "PATCH", "DELETE"})
        known = known || r.method == m;
    if (!known)
        return false;
    for (std::size_t i = 0; i < r.headers.size(); ++i) {
        std::string_view const name = r.headers[i].name;
        for (std::string_view std_name : {"host", "user-agent", "content-type", "content-length",
                                          "transfer-encoding", "connection",
                                          "proxy-authorization"})
            if (boost::beast::iequals(name, std_name))
                return false;
        for (std::size_t j = 0; j < i; ++j)
            if (boost::beast::iequals(name, r.headers[j].name))
                return false;
    }
    return true;
}

// The body's type, as append_field writes it.
constexpr std::string_view json_type = "Content-Type: application/json\r\n";

void append_field(std::string& out, std::string_view name, std::string_view value)
{
    value = trim_ows(value);  // as Beast's fields keep a value
    out.append(name).append(": ", 2).append(value).append("\r\n", 2);
}

}  // namespace

std::string head_fields(endpoint const& ep, std::string const& user_agent,
                        proxy_endpoint const* proxy)
{
    std::string out;
    append_field(out, "Host", host_of(ep));
    if (proxy && !proxy->authorization.empty())
        append_field(out, "Proxy-Authorization", proxy->authorization);
    append_field(out, "User-Agent", user_agent);
    return out;
}

std::string write_head(http_request const& r, endpoint const& ep, std::string const& user_agent,
                       proxy_endpoint const* proxy)
{
    return write_head_after(head_fields(ep, user_agent, proxy), r, ep, user_agent, proxy);
}

std::string write_head_after(std::string_view fields, http_request const& r, endpoint const& ep,
                             std::string const& user_agent, proxy_endpoint const* proxy)
{
    if (!headers_as_given(r))
        return request_head(make_request(r, ep, user_agent, proxy).base());
    // make_request's fields in its order: Host, the proxy's credentials, User-Agent (`fields`),
    // the body's type, the request's own, and the length Beast's prepare_payload gives a known
    // body.
    std::size_t size = 96 + r.method.size() + ep.target.size() + fields.size() +
                       (proxy ? ep.host.size() + 16 : 0);  // the line, type, length, end
    for (auto const& h : r.headers)
        size += h.name.size() + h.value.size() + 4;
    std::string out;
    out.reserve(size);
    out.append(r.method).push_back(' ');
    if (proxy)
        out.append(target_of(ep, host_of(ep), proxy));
    else
        out.append(ep.target);
    out.append(" HTTP/1.1\r\n", 11).append(fields);
    if (!r.body.empty())
        out.append(json_type);
    for (auto const& h : r.headers)
        append_field(out, h.name, h.value);
    if (!r.body.empty() || r.method == "POST" || r.method == "PUT") {
        char digits[24];
        auto const end = std::to_chars(digits, digits + sizeof digits, r.body.size()).ptr;
        out.append("Content-Length: ", 16)
            .append(digits, static_cast<std::size_t>(end - digits))
            .append("\r\n", 2);
    }
    out.append("\r\n", 2);
    return out;
}

bhttp::request<bhttp::span_body<char const>> make_request(http_request const& r, endpoint const& ep,
                                                std::string const& user_agent,
                                                proxy_endpoint const* proxy)
{
    bhttp::verb const verb = bhttp::string_to_verb(r.method);
    auto const host = host_of(ep);
    bhttp::request<bhttp::span_body<char const>> req{verb, target_of(ep, host, proxy), 11};
    req.set(bhttp::field::host, host);
    if (proxy && !proxy->authorization.empty())
        req.set(bhttp::field::proxy_authorization, proxy->authorization);
    req.set(bhttp::field::user_agent, user_agent);
    if (!r.body.empty())
        req.set(bhttp::field::content_type, "application/json");
    for (auto const& h : r.headers)
        req.set(h.name, h.value);
    if (r.sign)  // signed as sent: the Host it carries, this target, this attempt's time
        for (auto const& h : r.sign(std::string(req[bhttp::field::host]), ep.target, r)) {
            check_field(h.name, h.value);
            req.set(h.name, h.value);
        }
    req.keep_alive(true);
    req.body() = {r.body.data(), r.body.size()};
    req.prepare_payload();
    return req;
}

std::optional<sent_now> write_now(connection& c, http_request const& r, endpoint const& ep,
                                  std::string const& fields, std::string const& user_agent,
                                  proxy_endpoint const* proxy, boost::system::error_code& ec)
{
    if (c.tls || !r.body_file.empty())
        return std::nullopt;
    sent_now s;
    s.head = write_head_after(fields, r, ep, user_agent, proxy);
    std::array<asio::const_buffer, 2> const bytes{asio::buffer(s.head), asio::buffer(r.body)};
    c.watch.now(c.plain->socket(), [&](int fd) { s.bytes = socket_now(fd).write_some(bytes, ec); });
    s.whole = s.bytes == s.head.size() + r.body.size();
    if (ec == asio::error::would_block)
        ec = {};
    return s;
}

asio::awaitable<boost::system::error_code> write_rest(connection& c, std::string head,
                                                      std::string_view body, std::size_t sent)
{
    std::array<asio::const_buffer, 2> bytes{asio::buffer(head), asio::buffer(body)};
    bytes[1] += sent > head.size() ? sent - head.size() : 0;
    bytes[0] += sent;  // each advances at most to its end
    // The plain socket itself: its stream's own expiry is off (the watch bounds it).
    auto [ec, n] = co_await asio::async_write(c.plain->socket(), bytes, tuple_awaitable);
    co_return ec;
}

asio::awaitable<boost::system::error_code> write_request(connection& c, http_request const& r,
                                                         endpoint const& ep,
                                                         std::string const& fields,
                                                         std::string const& user_agent,
                                                         proxy_endpoint const* proxy)
{
    auto const& body_file = r.body_file;
    if (body_file.empty()) {
        // The head in one string and the body where it is: one gathered write of both.
        auto const head = write_head_after(fields, r, ep, user_agent, proxy);
        std::array<asio::const_buffer, 2> const bytes{asio::buffer(head), asio::buffer(r.body)};
        auto [ec, n] = co_await c.with_stream(
            [&](auto& s) { return asio::async_write(s, bytes, tuple_awaitable); });
        co_return ec;
    }
    auto const req = make_request(r, ep, user_agent, proxy);
    bhttp::request<bhttp::file_body> file_req{req.base()};
    boost::beast::error_code fec;
    file_req.body().open(body_file.c_str(), boost::beast::file_mode::scan, fec);
    if (fec)
        throw error(errc::invalid_argument,
                    "cannot read the request body file " + body_file + ": " + fec.message());
    file_req.prepare_payload();
    auto [ec, n] = co_await c.with_stream(
        [&](auto& s) { return bhttp::async_write(s, file_req, tuple_awaitable); });
    co_return ec;
}

bool read_head_now(connection& c, response_parser& p, boost::system::error_code& ec)
{
    if (c.tls)  // OpenSSL may hold what the socket no longer shows: the read itself waits
        return false;
    bool whole = false;
    c.watch.now(c.plain->socket(), [&](int fd) {
        socket_now sock(fd);
        bhttp::read_header(sock, c.buffer, p, ec);
        whole = ec != asio::error::would_block;
    });
    if (ec == asio::error::would_block)
        ec = {};
    return whole;
}

std::string request_head(bhttp::request_header<> const& h)
{
    auto const method = h.method_string();
    auto const target = h.target();
    std::size_t n = method.size() + target.size() + 13;
    for (auto const& f : h)
        n += f.name_string().size() + f.value().size() + 4;
    std::string out;
    out.reserve(n);
    out.append(method.data(), method.size());
    out.push_back(' ');
    out.append(target.data(), target.size());
    out.append(" HTTP/");
    out.push_back(static_cast<char>('0' + h.version() / 10));
    out.push_back('.');
    out.push_back(static_cast<char>('0' + h.version() % 10));
    out.append("\r\n");
    for (auto const& f : h) {
        out.append(f.name_string().data(), f.name_string().size());
        out.append(": ");
        out.append(f.value().data(), f.value().size());
        out.append("\r\n");
    }
    out.append("\r\n");
    return out;
}

asio::awaitable<bool> stream_impl::read_body(std::string& out)
{
    if (done)
        co_return false;
    if (failed || !held.conn)
        throw error(errc::protocol_error, "read from a failed stream");
    auto& c = *held.conn;
    constexpr std::uint64_t most = 16 * 1024;  // read at a time
    for (;;) {
        if (parser.is_done()) {  // an empty body (204, Content-Length: 0): nothing to read, and
            done = true;         // Beast would wait on the socket for more
            held.give_back(parser.keep_alive());
            co_return false;
        }
        auto limit = after(idle_timeout);
        if (deadline)
            limit = std::min(limit, *deadline);
        // Checked here as well as by the read's timer: a read whose bytes are already waiting
        // completes before an expired timer fires, so a body that keeps flowing would
        // otherwise be read past the deadline (to the end, or to max_body).
        if (deadline && steady::now() >= *deadline) {
            failed = true;
            held.give_back(false);
            throw error(errc::timeout, "read the response body: timed out");
        }
        c.watch.bound(c.lowest().socket(), limit);
        // A whole body of a known length up to 16 KB (a reply) is read straight into `out`;
        // others through a room of 16 KB, or less for a body known to be less (a stream's
        // reads, each handed over as it comes).
        auto const left = parser.content_length_remaining();
        std::size_t const had = out.size();
        bool const straight = whole && !scratch && left && *left <= most;
        // On every way out of a straight read, `out` ends where the bytes read end (what the
        // parser's room lost), and the parser points into it no more.
        struct trim {
            std::string& out;
            std::size_t had, room;
            response_parser& parser;
            trim(std::string& o, std::size_t h, response_parser& p)
                : out(o), had(h), room(p.room_size), parser(p)
            {
            }
            trim(trim const&) = delete;
            ~trim()
            {
                out.resize(had + (room - parser.room_size));
                parser.room = nullptr;
                parser.room_size = 0;
            }
        };
        std::optional<trim> trimmed;
        if (straight) {
            out.resize(had + static_cast<std::size_t>(*left));
            parser.room = out.data() + had;
            parser.room_size = static_cast<std::size_t>(*left);
            trimmed.emplace(out, had, parser);  // made in place: a copy's end would trim early
        }
        else {
            if (!scratch) {
                piece = static_cast<std::size_t>(left ? std::clamp<std::uint64_t>(*left, 1, most)
                                                      : most);
                scratch = std::make_unique<char[]>(piece);
            }
            parser.room = scratch.get();
            parser.room_size = piece;
        }
        std::size_t const room = parser.room_size;
        // What has arrived is read now (a plain socket); a read that would wait is awaited, and
        // goes on from where this one stopped (the parser's and the body's state are kept).
        // After 64 KB read so, the next read is awaited all the same: a body that keeps
        // coming gives up the thread as Asio's reads did on each (other calls, their timers,
        // a cancellation from another handler get their turn).
        constexpr std::size_t now_budget = 64 * 1024;
        boost::system::error_code rec;
        bool now = false;
        if (!c.tls && read_now < now_budget)
            c.watch.now(c.plain->socket(), [&](int fd) {
                socket_now sock(fd);
                bhttp::read_some(sock, c.buffer, parser, rec);
                now = rec != asio::error::would_block;
            });
        if (!now) {
            read_now = 0;
            auto [arec, n] = co_await c.with_stream([&](auto& st) {
                return bhttp::async_read_some(st, c.buffer, parser, tuple_awaitable);
            });
            rec = arec;
        }
        auto ec = c.watch.outcome(rec);
        if (ec == bhttp::error::need_buffer)
            ec = {};
        inject_into(ec, fault, io_step::read_body);
        std::size_t const got = room - parser.room_size;
        if (now)
            read_now += got;
        if (straight)
            trimmed.reset();
        else
            out.append(scratch.get(), got);
        if (ec) {
            failed = true;
            held.give_back(false);
            if (ec == bhttp::error::partial_message || ec == asio::error::eof ||
                ec == bhttp::error::end_of_stream)
                throw error(errc::connection_failed, "the server closed the connection mid-body");
            throw_network(ec, "read the response body");
        }
        if (auto cs = co_await asio::this_coro::cancellation_state;
            cs.cancelled() != asio::cancellation_type::none) {
            failed = true;
            held.give_back(false);  // cut short: never pooled
            throw_cancelled();
        }
        body_bytes += got;
        if (body_bytes > max_body) {
            failed = true;
            held.give_back(false);
            throw error(errc::response_too_large, "the response body exceeds max_body_bytes");
        }
        if (parser.is_done()) {
            done = true;
            held.give_back(parser.keep_alive());
        }
        if (got > 0 || done)
            co_return !done || got > 0;
    }
}

}  // namespace instructor::net::detail
