// The two batch services and what they share (private to lib/batch).
#pragma once

#include "protocol/batch_api.hpp"
#include "protocol/wire.hpp"

#include "net/url.hpp"

#include <boost/json/parse.hpp>

namespace instructor::detail {

std::unique_ptr<batch_api> make_openai_batches(mode m, client_options const& o,
                                               std::vector<std::string> secrets);
std::unique_ptr<batch_api> make_anthropic_batches(mode m, client_options const& o,
                                                  std::vector<std::string> secrets);

/// A request to the batch service at `path` below the endpoint, with the API's auth and
/// headers (those of its wire).
net::http_request service_request(wire const& w, endpoint_config const& ep, std::string method,
                                  std::string_view path, std::string body);

/// What both services ask of one batch in `collection` ("batches", "messages/batches"): GET
/// `<collection>/<id>`, or POST `<collection>/<id>/cancel`.
net::http_request one_batch_request(wire const& w, endpoint_config const& ep,
                                    std::string_view collection, std::string_view id, bool cancel);

/// Letters, digits, '_' and '-': what ids and Anthropic's custom_ids are made of.
constexpr bool is_id_char(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/// `id` when it can go into a URL path as it is (id characters and dots, not starting with a
/// dot: never "." or ".."); else invalid_argument naming `what`.
std::string checked_id(std::string_view id, std::string_view what);

/// list_options::limit within the APIs' 1..100, as text.
std::string page_limit(list_options const& o);

/// A result line as a JSON object, its custom_id in `custom_id`; protocol_error otherwise (no
/// object, or no custom_id), showing the line's start with `secrets` redacted before it is cut
/// (a key split by the cut would escape).
boost::json::value parse_line(std::string_view line, std::vector<std::string> const& secrets,
                              std::string& custom_id);

}  // namespace instructor::detail
