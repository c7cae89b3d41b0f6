// What both batch services share: the choice by mode, and the requests' shape.
#include "batch/batch_api.hpp"
#include "batch/batch_services.hpp"

namespace instructor::detail {

std::string_view batch_endpoint(mode m) noexcept
{
    if (is_anthropic_mode(m))
        return "/v1/messages";
    if (is_responses_mode(m))
        return "/v1/responses";
    return "/v1/chat/completions";
}

std::unique_ptr<batch_api> make_batch_api(mode m, client_options const& o)
{
    if (is_anthropic_mode(m))
        return make_anthropic_batches(m, o);
    return make_openai_batches(m, o);
}

net::http_request service_request(wire const& w, endpoint_config const& ep, std::string method,
                                  std::string_view path, std::string body)
{
    auto r = w.http_request(ep, std::move(body));  // the API's auth and headers
    r.method = std::move(method);
    r.url = net::join_url(ep.base_url, path);
    return r;
}

std::string checked_id(std::string_view id, std::string_view what)
{
    bool ok = !id.empty() && id.size() <= 256;
    for (char c : id)
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.');
    if (!ok)
        throw error(errc::invalid_argument,
                    std::string(what) + " id \"" + std::string(id.substr(0, 80)) +
                        "\" is not an id (letters, digits, '_', '-', '.'; 1 to 256 characters)");
    return std::string(id);
}

boost::json::value parse_line(std::string_view line)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    if (ec || !v.is_object())
        throw error(errc::protocol_error,
                    "a batch result line is not a JSON object: " +
                        std::string(line.substr(0, 120)));
    return v;
}

}  // namespace instructor::detail
