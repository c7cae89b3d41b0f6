// One TCP or TLS connection to an origin, and how it is opened (private to lib/net).
#pragma once

#include "fault_hook.hpp"
#include "io_watch.hpp"
#include "proxy.hpp"
#include "read_room.hpp"

#include "net/url.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <memory>

namespace instructor::net::detail {

using steady = std::chrono::steady_clock;

struct connection {
    std::unique_ptr<boost::beast::tcp_stream> plain;
    std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls;
    /// What was read and not yet parsed. Bounded: a server that sends a header, a chunk-size
    /// line or a chunk extension that never ends fills it, and the read fails (buffer_overflow,
    /// response_too_large) instead of growing without end.
    boost::beast::basic_flat_buffer<room_allocator<char>> buffer;
    bool reused = false;
    /// Bounds each exchange's reads and writes in time (the streams' own expiry is off once
    /// the connection is open).
    io_watch watch;

    explicit connection(std::size_t buffer_limit) : buffer(buffer_limit) {}

    boost::beast::tcp_stream& lowest()
    {
        return tls ? boost::beast::get_lowest_layer(*tls) : *plain;
    }

    /// Runs `f(stream)` on whichever stream this connection has.
    template <class F>
    auto with_stream(F&& f)
    {
        return tls ? f(*tls) : f(*plain);
    }

    void close() noexcept;

    /// A pooled connection the server has closed reads EOF at once; a live one would block.
    bool alive();
};

/// Resolves `ep` (or `proxy`), connects and, for https, handshakes (SNI for names, the host
/// name or IP verified unless `verify` is false), all before `limit`. An https origin behind a
/// proxy is reached through a CONNECT tunnel, TLS running end to end inside it. Throws
/// ins::error: timeout, connection_failed, tls_failed, proxy_failed (the proxy refused the
/// tunnel), protocol_error, cancelled.
boost::asio::awaitable<void> open_connection(connection& c, endpoint const& ep,
                                             proxy_endpoint const* proxy,
                                             steady::time_point limit,
                                             boost::asio::ssl::context& ssl_ctx, bool verify,
                                             std::shared_ptr<fault_hook const> const& fault);

}  // namespace instructor::net::detail
