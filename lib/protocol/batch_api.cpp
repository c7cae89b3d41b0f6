// What the batch services share: the service of a mode (its API's row), and the requests' shape.
#include "protocol/api_table.hpp"
#include "protocol/batch_api.hpp"
#include "protocol/batch_services.hpp"
#include "net/redact.hpp"

#include <algorithm>

namespace instructor {

// The final statuses of both services: OpenAI's completed, failed, expired, cancelled, and
// Anthropic's ended.
bool batch::terminal() const noexcept
{
    return status == "completed" || status == "failed" || status == "expired" ||
           status == "cancelled" || status == "ended";
}

}  // namespace instructor

namespace instructor::detail {

std::string_view batch_endpoint(mode m) noexcept { return api_for(m).batch_line_url; }

std::unique_ptr<batch_api> make_batch_api(mode m, client_options const& o,
                                          std::vector<std::string> secrets)
{
    auto const& api = api_for(m);
    if (!api.make_batches)
        throw error(errc::invalid_argument, "mode " + std::string(to_string(m)) + " (the " +
                                                std::string(api.name) +
                                                " API) has no batch service here");
    return api.make_batches(m, o, std::move(secrets));
}

net::http_request service_request(wire const& w, endpoint_config const& ep, std::string method,
                                  std::string_view path, std::string body)
{
    auto r = w.http_request(ep, {}, false, std::move(body));  // the API's auth, headers and query
    r.method = std::move(method);
    auto const query = std::string(net::query_of(r.url));  // the client's query parameters
    r.url = net::join_url(ep.base_url, path);
    if (!query.empty())
        r.url += (r.url.find('?') == std::string::npos ? "?" : "&") + query;
    return r;
}

net::http_request one_batch_request(wire const& w, endpoint_config const& ep,
                                    std::string_view collection, std::string_view id, bool cancel)
{
    auto path = std::string(collection) + "/" + checked_id(id, "batch");
    if (cancel)
        path += "/cancel";
    return service_request(w, ep, cancel ? "POST" : "GET", path, {});
}

std::string checked_id(std::string_view id, std::string_view what)
{
    bool ok = !id.empty() && id.size() <= 256 && id.front() != '.';
    for (char c : id)
        ok = ok && (is_id_char(c) || c == '.');
    if (!ok)
        throw error(errc::invalid_argument,
                    std::string(what) + " id \"" + std::string(id.substr(0, 80)) +
                        "\" is not an id (letters, digits, '_', '-', '.', not first; 1 to 256 "
                        "characters)");
    return std::string(id);
}

batch_page batch_api::parse_page(boost::json::value const& v) const
{
    auto const* o = v.if_object();
    auto const* data = o ? o->if_contains("data") : nullptr;
    if (!data || !data->is_array())
        throw error(errc::protocol_error, "the answer is not a list of batches");
    batch_page p;
    for (auto const& b : data->get_array())
        p.batches.push_back(parse_batch(b));
    auto const* more = o->if_contains("has_more");
    p.has_more = more && more->is_bool() && more->get_bool();
    auto const* last = o->if_contains("last_id");
    if (last && last->is_string())
        p.last_id = last->get_string();
    if (p.last_id.empty() && !p.batches.empty())
        p.last_id = p.batches.back().id;
    return p;
}

std::string page_limit(list_options const& o)
{
    return std::to_string(std::clamp<std::size_t>(o.limit, 1, 100));
}

boost::json::value parse_line(std::string_view line, std::vector<std::string> const& secrets,
                              std::string& custom_id)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    if (ec || !v.is_object())
        throw error(errc::protocol_error, "a batch result line is not a JSON object: " +
                                              net::redact(std::string(line), secrets).substr(0, 120));
    auto const* id = v.get_object().if_contains("custom_id");
    if (!id || !id->is_string() || id->get_string().empty())
        throw error(errc::protocol_error, "a batch result line has no custom_id");
    custom_id = id->get_string();
    return v;
}

std::size_t largest_batch() noexcept
{
    std::size_t most = 0;
    for (auto const& api : api_rows())
        most = std::max(most, api.batches.max_lines);
    return most;
}

}  // namespace instructor::detail
