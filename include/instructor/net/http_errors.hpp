// From an HTTP failure to an ins::error: the status's errc and the provider's own message.
#pragma once

#include <instructor/error.hpp>
#include <instructor/net/http_types.hpp>

#include <string>
#include <string_view>

namespace instructor::net {

/// The errc of a non-2xx status: 401 authentication_failed, 403 permission_denied, 404
/// not_found, 400/422 bad_request, 429 rate_limited, 5xx server_error, 408 timeout; any other
/// 4xx is bad_request, anything else protocol_error.
errc errc_for_status(unsigned status) noexcept;

/// The provider's message from an error body: OpenAI and OpenRouter `{"error": {"message"}}`,
/// Anthropic `{"type": "error", "error": {"type", "message"}}`, `{"message"}`, `{"detail"}`;
/// else the body's start as text. Empty for an empty body.
std::string provider_message(std::string_view body);

/// The error for a final non-2xx response (status, errc and provider message filled in).
/// Every string in `secrets` is replaced by "[redacted]" should the server echo it.
error http_error(http_response const& response, std::vector<std::string> const& secrets = {});

}  // namespace instructor::net
