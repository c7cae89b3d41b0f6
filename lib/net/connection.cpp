// Opening a connection: resolve, TCP connect, TLS handshake with peer verification.
#include "connection.hpp"

#include "net_errors.hpp"

#include <instructor/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <vector>

namespace instructor::net::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

void connection::close() noexcept
{
    watch.stop();
    if (!plain && !tls)
        return;  // it failed before it had a socket (name resolution)
    error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().socket().close(ec);
}

bool connection::alive()
{
    if (!plain && !tls)
        return false;
    auto& sock = lowest().socket();
    if (!sock.is_open() || buffer.size() != 0)
        return false;
    // One non-blocking peek (a call on a pooled connection makes it): nothing waiting means
    // open and quiet; end of file, an error or unasked-for bytes mean the connection is done.
    char byte;
    auto const n = ::recv(sock.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

namespace {

/// Asks the proxy for a tunnel to `ep` over the plain connection `c`: CONNECT host:port, and a
/// 2xx answer with nothing after it (TLS starts next, on the raw socket).
asio::awaitable<void> open_tunnel(connection& c, endpoint const& ep, proxy_endpoint const& proxy)
{
    namespace bhttp = beast::http;
    bool const v6 = ep.host.find(':') != std::string::npos;
    auto const authority = (v6 ? "[" + ep.host + "]" : ep.host) + ":" + std::to_string(ep.port);
    bhttp::request<bhttp::empty_body> req{bhttp::verb::connect, authority, 11};
    req.set(bhttp::field::host, authority);
    if (!proxy.authorization.empty())
        req.set(bhttp::field::proxy_authorization, proxy.authorization);
    auto [wec, wn] = co_await bhttp::async_write(*c.plain, req, tuple_awaitable);
    if (wec)
        throw_network(wec, "send CONNECT to " + proxy.where());
    throw_if_cancelled(co_await asio::this_coro::cancellation_state);

    bhttp::response_parser<bhttp::empty_body> answer;
    answer.skip(true);  // a CONNECT answer's body, if any, is not read: the tunnel follows
    auto [rec, rn] = co_await bhttp::async_read_header(*c.plain, c.buffer, answer, tuple_awaitable);
    if (rec)
        throw_network(rec, "read the CONNECT answer of " + proxy.where());
    throw_if_cancelled(co_await asio::this_coro::cancellation_state);
    auto const& res = answer.get();
    if (res.result_int() / 100 != 2)
        throw error(errc::proxy_failed, proxy.where() + " refused the tunnel to " + authority +
                                            ": " + std::to_string(res.result_int()) + " " +
                                            std::string(res.reason()));
    if (c.buffer.size() != 0)
        throw error(errc::protocol_error,
                    proxy.where() + " sent data after its CONNECT answer, before TLS");
}

}  // namespace

namespace {

/// The addresses of `host` into `out`, by `limit` (beast::error::timeout past it); a coroutine
/// of its own, so that what the wait holds is freed once the name is resolved.
asio::awaitable<error_code> resolve(asio::any_io_executor ex, std::string const& host,
                                    std::uint16_t port, steady::time_point limit,
                                    std::vector<tcp::endpoint>& out)
{
    using namespace asio::experimental::awaitable_operators;
    tcp::resolver resolver(ex);
    asio::steady_timer timer(ex, limit);
    auto r = co_await (resolver.async_resolve(host, std::to_string(port), tuple_awaitable) ||
                       timer.async_wait(tuple_awaitable));
    if (r.index() == 1) {
        if (std::get<0>(std::get<1>(r)) == asio::error::operation_aborted)
            throw_cancelled();
        co_return beast::error::timeout;
    }
    auto const& [ec, results] = std::get<0>(r);
    for (auto const& each : results)
        out.push_back(each.endpoint());
    co_return ec;
}

}  // namespace

namespace {

/// What a failure to reach the server names: the proxy, when one is in the way.
std::string peer_of(endpoint const& ep, proxy_endpoint const* proxy)
{
    return proxy ? proxy->where() : ep.origin();
}

/// The addresses to connect to: `host` itself when it is an address (no resolver, whose
/// lookups run on a thread of their own), else what the resolver says by `limit`.
asio::awaitable<void> addresses(endpoint const& ep, proxy_endpoint const* proxy,
                                steady::time_point limit,
                                std::shared_ptr<fault_hook const> const& fault,
                                std::vector<tcp::endpoint>& out)
{
    // With a proxy, the TCP connection is to the proxy, and failures name it.
    auto const& host = proxy ? proxy->host : ep.host;
    auto const port = proxy ? proxy->port : ep.port;
    error_code not_address;
    auto const address = asio::ip::make_address(host, not_address);
    if (!not_address) {
        out.emplace_back(address, port);
        co_return;
    }
    auto rec = co_await resolve(co_await asio::this_coro::executor, host, port, limit, out);
    inject_into(rec, fault, io_step::resolve);
    if (rec == beast::error::timeout)
        throw error(errc::timeout, "resolving " + (proxy ? proxy->where() : host) + " timed out");
    if (rec)
        throw_network(rec, "resolve " + (proxy ? proxy->where() : host));
}

/// The TCP connection to one of `endpoints`, by `limit`. Its own coroutine, as each step is:
/// every call in flight waits in a connect at once when each opens a connection, and what a
/// frame holds (GCC keeps every local and awaited temporary for its whole life) is paid by
/// each of them.
asio::awaitable<void> connect_tcp(connection& c, endpoint const& ep, proxy_endpoint const* proxy,
                                  std::vector<tcp::endpoint> const& endpoints,
                                  steady::time_point limit, ssl::context& ssl_ctx,
                                  std::shared_ptr<fault_hook const> const& fault)
{
    auto ex = co_await asio::this_coro::executor;
    if (ep.tls && !proxy)
        c.tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ex, ssl_ctx);
    else
        c.plain = std::make_unique<beast::tcp_stream>(ex);
    auto& stream = c.lowest();
    stream.expires_at(limit);
    error_code cec;
    if (endpoints.size() == 1) {  // one address: a plain connect (a range's op is larger)
        auto [ec] = co_await stream.async_connect(endpoints.front(), tuple_awaitable);
        cec = ec;
    }
    else {
        auto [ec, at] = co_await stream.async_connect(endpoints, tuple_awaitable);
        cec = ec;
    }
    inject_into(cec, fault, io_step::connect);
    if (cec)
        throw_network(cec, "connect to " + peer_of(ep, proxy));
    throw_if_cancelled(co_await asio::this_coro::cancellation_state);
    stream.socket().set_option(tcp::no_delay(true));
    if (!ep.tls)
        stream.expires_never();  // from here on, the connection's watch bounds its I/O
}

/// TLS over `c`, the peer verified (when `verify`) by its name or address.
asio::awaitable<void> handshake(connection& c, endpoint const& ep, steady::time_point limit,
                                bool verify, std::shared_ptr<fault_hook const> const& fault)
{
    auto* handle = c.tls->native_handle();
    error_code not_ip;
    (void)asio::ip::make_address(ep.host, not_ip);
    // SNI names hosts, never addresses (RFC 6066)
    if (not_ip && !SSL_set_tlsext_host_name(handle, ep.host.c_str()))
        throw error(errc::tls_failed, "cannot set the TLS server name for " + ep.host);
    if (verify) {
        // OpenSSL checks the peer during the handshake: a name against the certificate's DNS
        // names only (never its subject's common name), an address against its IP addresses.
        auto* param = SSL_get0_param(handle);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT |
                                                   X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        int const ok = not_ip ? X509_VERIFY_PARAM_set1_host(param, ep.host.c_str(), 0)
                              : X509_VERIFY_PARAM_set1_ip_asc(param, ep.host.c_str());
        if (!ok)
            throw error(errc::tls_failed, "cannot set the TLS peer to verify: " + ep.host);
    }
    c.lowest().expires_at(limit);
    auto [hec] = co_await c.tls->async_handshake(ssl::stream_base::client, tuple_awaitable);
    inject_into(hec, fault, io_step::handshake);
    if (!hec) {
        c.lowest().expires_never();
        throw_if_cancelled(co_await asio::this_coro::cancellation_state);
        co_return;
    }
    if (hec == beast::error::timeout)
        throw error(errc::timeout, "TLS handshake with " + ep.origin() + " timed out");
    if (hec == asio::error::operation_aborted)
        throw_cancelled();
    long const result = SSL_get_verify_result(handle);
    std::string why = result != X509_V_OK ? X509_verify_cert_error_string(result) : hec.message();
    throw error(errc::tls_failed, "TLS handshake with " + ep.origin() + " failed: " + why);
}

}  // namespace

asio::awaitable<void> open_connection(connection& c, endpoint const& ep,
                                      proxy_endpoint const* proxy, steady::time_point limit,
                                      ssl::context& ssl_ctx, bool verify,
                                      std::shared_ptr<fault_hook const> const& fault)
{
    std::vector<tcp::endpoint> endpoints;
    co_await addresses(ep, proxy, limit, fault, endpoints);
    throw_if_cancelled(co_await asio::this_coro::cancellation_state);
    co_await connect_tcp(c, ep, proxy, endpoints, limit, ssl_ctx, fault);
    if (!ep.tls)
        co_return;
    if (proxy) {
        co_await open_tunnel(c, ep, *proxy);
        c.tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*c.plain),
                                                                         ssl_ctx);
        c.plain.reset();
    }
    co_await handshake(c, ep, limit, verify, fault);
}

}  // namespace instructor::net::detail
