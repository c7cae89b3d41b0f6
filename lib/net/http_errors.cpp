#include "net/http_errors.hpp"

#include "net/redact.hpp"

namespace instructor::net {

errc errc_for_status(unsigned status) noexcept
{
    switch (status) {
    case 400:
    case 422: return errc::bad_request;
    case 401: return errc::authentication_failed;
    case 403: return errc::permission_denied;
    case 404: return errc::not_found;
    case 408: return errc::timeout;
    case 429: return errc::rate_limited;
    default: break;
    }
    if (status >= 500 && status <= 599)
        return errc::server_error;
    if (status >= 400 && status <= 499)
        return errc::bad_request;
    return errc::protocol_error;
}

std::string server_message(std::string_view body, error_reader reader)
{
    if (reader) {
        if (auto m = reader(body); !m.empty())
            return m;
    }
    // Not the API's format (an HTML error page from a proxy, say): the start of it, on one line.
    std::string text(body.substr(0, 300));
    for (char& c : text)
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
    if (body.size() > 300)
        text += "...";
    return text;
}

error http_error(http_response const& response, std::vector<std::string> const& secrets,
                 error_reader reader)
{
    // Redacted before it is cut or picked apart: a key split by the cut would escape.
    std::string msg = server_message(redact(response.body, secrets), reader);
    std::string what = "HTTP " + std::to_string(response.status);
    if (!msg.empty())
        what += ": " + msg;
    error e(errc_for_status(response.status), what);
    e.http_status = static_cast<int>(response.status);
    e.provider_message = std::move(msg);
    return e;
}

}  // namespace instructor::net
