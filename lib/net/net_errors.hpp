// Asio/Beast/OpenSSL failures as ins::error (private to lib/).
#pragma once

#include "redact.hpp"

#include <instructor/error.hpp>
#include <instructor/net/http_types.hpp>

#include <boost/asio/cancellation_state.hpp>
#include <boost/system/error_code.hpp>

#include <string>
#include <vector>

namespace instructor::net {

/// Maps a failed network operation to its errc: timeout, cancelled, response_too_large (a
/// header or body limit), protocol_error (malformed HTTP), tls_failed, else connection_failed.
[[noreturn]] void throw_network(boost::system::error_code const& ec, std::string const& what);
[[noreturn]] void throw_cancelled();

/// Throws ins::error(cancelled) when the coroutine whose state this is has been cancelled:
/// checked between steps, so a cancellation that came while no operation was pending is not
/// lost. Called as `throw_if_cancelled(co_await asio::this_coro::cancellation_state)` (read
/// in place: a coroutine of its own would cost a frame for each check).
void throw_if_cancelled(boost::asio::cancellation_state const& state);

/// The request's `secrets` and the values of its secret headers, as they could appear in an
/// echoed message (with and without a "Bearer " prefix).
std::vector<std::string> secrets_of(http_request const& request);

}  // namespace instructor::net
