#include <instructor/net/http_errors.hpp>

#include "redact.hpp"

#include <boost/json/parse.hpp>

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

namespace {

std::string message_in(boost::json::value const& v)
{
    if (!v.is_object())
        return {};
    auto const& o = v.get_object();
    for (char const* key : {"error", "message", "detail"}) {
        auto const* m = o.if_contains(key);
        if (!m)
            continue;
        if (m->is_string())
            return std::string(m->get_string());
        if (m->is_object()) {
            auto inner = message_in(*m);
            // OpenRouter wraps the upstream provider's words in metadata.raw
            auto const* meta = m->get_object().if_contains("metadata");
            auto const* raw = meta && meta->is_object() ? meta->get_object().if_contains("raw")
                                                        : nullptr;
            if (raw && raw->is_string())
                inner += (inner.empty() ? "" : ": ") + std::string(raw->get_string());
            if (!inner.empty())
                return inner;
        }
    }
    return {};
}

}  // namespace

std::string provider_message(std::string_view body)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (!ec) {
        if (auto m = message_in(v); !m.empty())
            return m;
    }
    // Not JSON (an HTML error page from a proxy, say): the start of it, on one line.
    std::string text(body.substr(0, 300));
    for (char& c : text)
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
    if (body.size() > 300)
        text += "...";
    return text;
}

error http_error(http_response const& response, std::vector<std::string> const& secrets)
{
    // Redacted before it is cut or picked apart: a key split by the cut would escape.
    std::string msg = provider_message(redact(response.body, secrets));
    std::string what = "HTTP " + std::to_string(response.status);
    if (!msg.empty())
        what += ": " + msg;
    error e(errc_for_status(response.status), what);
    e.http_status = static_cast<int>(response.status);
    e.provider_message = std::move(msg);
    return e;
}

}  // namespace instructor::net
