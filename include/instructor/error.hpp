// Error codes and the exception every failed call throws.
#pragma once

#include <instructor/usage.hpp>
#include <instructor/validation.hpp>

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace instructor {

/// What went wrong with a call. Values are stable: they are the ABI of error reporting.
enum class errc {
    missing_api_key = 1,    ///< no key configured for a provider that needs one (before any I/O)
    authentication_failed,  ///< HTTP 401
    permission_denied,      ///< HTTP 403
    not_found,              ///< HTTP 404
    bad_request,            ///< HTTP 400 / 422
    rate_limited,           ///< HTTP 429
    server_error,           ///< HTTP 5xx
    timeout,                ///< connect, attempt or whole-call deadline expired
    connection_failed,      ///< resolve/connect/reset/closed
    tls_failed,             ///< handshake or certificate verification failed
    protocol_error,         ///< malformed HTTP, SSE or JSON envelope
    response_too_large,     ///< a configured header/body size cap was hit
    validation_failed,      ///< the model's output never validated (re-asks exhausted)
    output_truncated,       ///< finish_reason "length" / stop_reason "max_tokens"
    refusal,                ///< the model refused (structured-outputs refusal)
    content_filtered,       ///< finish_reason "content_filter"
    cancelled,              ///< the caller cancelled the operation
    invalid_argument,       ///< a bad configuration or request, detected before any I/O
    budget_exceeded,        ///< request::token_budget or cost_budget_usd used up before the answer validated
    cache_failed,           ///< the response cache could not answer (hook::cache_error only)
    proxy_failed,           ///< the HTTP proxy refused or could not open the tunnel (407, 403, 502)
};

std::error_category const& error_category() noexcept;

/// The enumerator's name ("rate_limited"), for reports and JSON.
std::string_view to_string(errc e) noexcept;

inline std::error_code make_error_code(errc e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

/// One failed attempt of a call, kept so a caller can see why every try was rejected.
struct failed_attempt {
    int number = 0;                          ///< 1-based
    std::vector<validation_issue> issues;    ///< why the output was rejected
    boost::json::value completion;           ///< the raw response of that attempt
};

/// The exception thrown by every call. `what()` never contains the API key.
class error : public std::system_error {
public:
    explicit error(errc code, std::string message = {});
    error(errc code, std::string message, std::vector<validation_issue> issues);

    errc code_enum() const noexcept { return static_cast<errc>(code().value()); }

    std::optional<int> http_status;          ///< when the server answered
    std::string provider_message;            ///< the server's own error message, verbatim
    int attempts = 0;                        ///< calls made, re-asks included
    usage total_usage;                       ///< summed over every attempt
    boost::json::value last_completion;      ///< the last raw response, if any
    std::vector<validation_issue> issues;    ///< validation issues of the last attempt
    std::vector<failed_attempt> failed_attempts;
};

}  // namespace instructor

template <>
struct std::is_error_code_enum<instructor::errc> : std::true_type {};
