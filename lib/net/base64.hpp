// Base64 (RFC 4648, padded, no line breaks) for what goes on the wire: file parts, proxy
// credentials, Bedrock's redacted reasoning joined from a stream (private to lib/).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace instructor::net::detail {

/// `bytes` in base64. Below 1 GiB (OpenSSL takes an int length; callers cap their input).
std::string base64(std::string_view bytes);

/// The bytes `text` holds in base64 (padded); nullopt when it is not base64.
std::optional<std::string> unbase64(std::string_view text);

}  // namespace instructor::net::detail
