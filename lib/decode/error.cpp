#include <instructor/error.hpp>

namespace instructor {
namespace {

class category final : public std::error_category {
public:
    char const* name() const noexcept override { return "instructor"; }
    std::string message(int ev) const override
    {
        switch (static_cast<errc>(ev)) {
        case errc::missing_api_key: return "no API key configured";
        case errc::authentication_failed: return "authentication failed";
        case errc::permission_denied: return "permission denied";
        case errc::not_found: return "not found";
        case errc::bad_request: return "bad request";
        case errc::rate_limited: return "rate limited";
        case errc::server_error: return "server error";
        case errc::timeout: return "timed out";
        case errc::connection_failed: return "connection failed";
        case errc::tls_failed: return "TLS handshake or verification failed";
        case errc::protocol_error: return "protocol error";
        case errc::response_too_large: return "response too large";
        case errc::validation_failed: return "the output failed validation";
        case errc::output_truncated: return "the output was truncated";
        case errc::refusal: return "the model refused";
        case errc::content_filtered: return "the output was filtered";
        case errc::cancelled: return "cancelled";
        case errc::invalid_argument: return "invalid argument";
        case errc::budget_exceeded: return "token budget exceeded";
        case errc::cache_failed: return "the response cache failed";
        case errc::proxy_failed: return "the HTTP proxy failed";
        }
        return "unknown instructor error";
    }
};

}  // namespace

std::string_view to_string(errc e) noexcept
{
    switch (e) {
    case errc::missing_api_key: return "missing_api_key";
    case errc::authentication_failed: return "authentication_failed";
    case errc::permission_denied: return "permission_denied";
    case errc::not_found: return "not_found";
    case errc::bad_request: return "bad_request";
    case errc::rate_limited: return "rate_limited";
    case errc::server_error: return "server_error";
    case errc::timeout: return "timeout";
    case errc::connection_failed: return "connection_failed";
    case errc::tls_failed: return "tls_failed";
    case errc::protocol_error: return "protocol_error";
    case errc::response_too_large: return "response_too_large";
    case errc::validation_failed: return "validation_failed";
    case errc::output_truncated: return "output_truncated";
    case errc::refusal: return "refusal";
    case errc::content_filtered: return "content_filtered";
    case errc::cancelled: return "cancelled";
    case errc::invalid_argument: return "invalid_argument";
    case errc::budget_exceeded: return "budget_exceeded";
    case errc::cache_failed: return "cache_failed";
    case errc::proxy_failed: return "proxy_failed";
    }
    return "unknown";
}

std::error_category const& error_category() noexcept
{
    static category const c;
    return c;
}

error::error(errc code, std::string message)
    : std::system_error(make_error_code(code), message)
{}

error::error(errc code, std::string message, std::vector<validation_issue> issues_)
    : std::system_error(make_error_code(code), message), issues(std::move(issues_))
{}

}  // namespace instructor
