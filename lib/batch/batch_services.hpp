// The two batch services and what they share (private to lib/batch).
#pragma once

#include "batch/batch_api.hpp"
#include "protocol/wire.hpp"

#include <instructor/net/url.hpp>

#include <boost/json/parse.hpp>

namespace instructor::detail {

std::unique_ptr<batch_api> make_openai_batches(mode m, client_options const& o);
std::unique_ptr<batch_api> make_anthropic_batches(mode m, client_options const& o);

/// A request to the batch service at `path` below the endpoint, with the API's auth and
/// headers (those of its wire).
net::http_request service_request(wire const& w, endpoint_config const& ep, std::string method,
                                  std::string_view path, std::string body);

/// `id` when it can go into a URL path as it is; else invalid_argument naming `what`.
std::string checked_id(std::string_view id, std::string_view what);

/// A result line as a JSON object; protocol_error otherwise.
boost::json::value parse_line(std::string_view line);

}  // namespace instructor::detail
