// From an HTTP failure to an ins::error: the status's errc and the server's own words, read by
// the API's error reader the request carries (the transport knows statuses and bytes only).
#pragma once

#include <instructor/error.hpp>
#include <instructor/net/http_types.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace instructor::net {

/// The errc of a non-2xx status: 401 authentication_failed, 403 permission_denied, 404
/// not_found, 400/422 bad_request, 429 rate_limited, 5xx server_error, 408 timeout; any other
/// 4xx is bad_request, anything else protocol_error.
errc errc_for_status(unsigned status) noexcept;

/// The server's words in an error body: what `reader` finds there (the API's format), else the
/// body's start as text, on one line. Empty for an empty body.
std::string server_message(std::string_view body, error_reader reader);

/// The error for a final non-2xx response (status, errc and the server's message). Every string
/// in `secrets` is replaced by "[redacted]" before the body is read or cut.
error http_error(http_response const& response, std::vector<std::string> const& secrets,
                 error_reader reader);

}  // namespace instructor::net
