// HTTP/1.1 over TCP or TLS with a keep-alive connection pool, deadlines and network retries.
//
// Thread safety: an http_client is a handle; copies share one pool. Every member function may
// be called concurrently from any thread. Operations run on the executor given at construction.
//
// Per-operation cancellation: send() and open_stream() honour the awaiting coroutine's
// cancellation slot (terminal cancellation): the request is abandoned, its connection closed
// (never returned to the pool), and ins::error(errc::cancelled) is thrown.
#pragma once

#include <instructor/net/http_types.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace instructor::net {

namespace detail {
struct client_impl;
struct stream_impl;
struct test_access;  // lib/net/fault_hook.hpp
struct in_place;     // lib/net/in_place.hpp
}  // namespace detail

/// A response whose body is read as it arrives (server-sent events).
class http_stream {
public:
    http_stream() = default;
    http_stream(http_stream&&) noexcept;
    http_stream& operator=(http_stream&&) noexcept;
    /// Closes the connection unless the body was read to its end (then it goes back to the pool).
    ~http_stream();

    unsigned status() const noexcept;
    std::vector<header> const& headers() const noexcept;

    /// The next bytes of the body; std::nullopt once the body is complete. Throws ins::error
    /// (timeout after idle_timeout of silence or at the call's deadline, connection_failed when
    /// the server closes mid-body, response_too_large when the framing overflows the
    /// connection's buffer, cancelled). A stream has no cap on its total bytes: the reader
    /// bounds what it keeps (the client bounds each event and the answer by max_body_bytes).
    boost::asio::awaitable<std::optional<std::string>> read_some();

    /// Abandons the body now: the connection is closed, not pooled.
    void close() noexcept;

private:
    friend struct detail::client_impl;
    std::unique_ptr<detail::stream_impl> impl_;
};

struct pool_stats {
    std::size_t connections_opened = 0;  ///< TCP connections made, over the client's life
    std::size_t idle = 0;                ///< pooled now
    std::size_t in_use = 0;              ///< leased now
    /// Requests sent again because the pooled connection they took had been closed by the
    /// server (see http_client::send).
    std::size_t stale_resends = 0;
};

class http_client {
public:
    /// Throws ins::error(invalid_argument) when a CA file or directory cannot be loaded.
    http_client(boost::asio::any_io_executor executor, transport_options options = {});

    /// One request with network retries: returns the first 2xx response, or throws the error
    /// of the last attempt (an HTTP status maps to its errc with the provider's message).
    ///
    /// A pooled connection the server closed while it sat idle is caught before use when it
    /// can be (it reads EOF at once); when the close races the request instead (EOF, reset or
    /// broken pipe before any response byte), the request is sent once more on a fresh
    /// connection. That re-send happens at most once per attempt, never after a response
    /// byte arrived, does not count as a network retry, and is counted in
    /// pool_stats::stale_resends.
    boost::asio::awaitable<http_response> send(http_request request, retry_settings retry = {});

    /// Like send(), but returns once a 2xx response's headers arrived; the body is read from
    /// the stream. Retries happen only before any body byte was handed out.
    boost::asio::awaitable<http_stream> open_stream(http_request request, retry_settings retry = {});

    pool_stats stats() const;
    boost::asio::any_io_executor const& get_executor() const noexcept;
    transport_options const& options() const noexcept;

private:
    friend struct detail::test_access;
    friend struct detail::in_place;
    std::shared_ptr<detail::client_impl> impl_;
};

}  // namespace instructor::net
