// AWS Signature Version 4 (the header form, for every AWS service but S3), as pure functions:
// OpenSSL's SHA-256 and HMAC, no AWS SDK (none is packaged for Debian).
#pragma once

#include <instructor/client_options.hpp>
#include <instructor/net/http_types.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace instructor::detail {

/// One request as it is signed: `target` is its path and query as sent; `headers` are the
/// headers signed besides `host` and `x-amz-date` (and `x-amz-security-token`, added when the
/// credentials hold a session token).
struct sigv4_request {
    std::string_view method;
    std::string_view host;
    std::string_view target;
    std::vector<net::header> headers;
    std::string_view payload;
};

/// The steps of a signature, each as AWS's documentation and test suite write it.
struct sigv4_signature {
    std::string canonical_request;
    std::string string_to_sign;
    std::string signature;      ///< hex
    std::string authorization;  ///< the Authorization header's value
    /// The headers to send: Authorization, X-Amz-Date and, with a session token,
    /// X-Amz-Security-Token.
    std::vector<net::header> headers;
};

/// Signs `r` for `service` in `region` at `amz_date` ("20150830T123600Z"). The path is
/// normalised (dot segments and empty segments removed) and URI-encoded once more, the query
/// decoded and re-encoded in order, header values trimmed with inner spaces folded, as AWS's
/// own signers do for every service but S3.
sigv4_signature sigv4_sign(aws_credentials const& creds, std::string_view service,
                           std::string_view region, sigv4_request const& r,
                           std::string_view amz_date);

/// `YYYYMMDDTHHMMSSZ` of the system clock now.
std::string amz_date_now();

/// The region of an AWS endpoint host (`bedrock-runtime.us-west-2.amazonaws.com`,
/// `bedrock-runtime-fips.us-east-1.amazonaws.com`); empty when the host names none.
std::string region_of_host(std::string_view host);

/// RFC 3986 percent-encoding of everything but the unreserved characters (AWS's UriEncode).
std::string aws_uri_encode(std::string_view s);

}  // namespace instructor::detail
