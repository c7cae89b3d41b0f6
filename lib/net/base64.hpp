// Base64 (RFC 4648, padded, no line breaks) for what goes on the wire: file parts, proxy
// credentials (private to lib/).
#pragma once

#include <string>
#include <string_view>

namespace instructor::net::detail {

/// `bytes` in base64. Below 1 GiB (OpenSSL takes an int length; callers cap their input).
std::string base64(std::string_view bytes);

}  // namespace instructor::net::detail
