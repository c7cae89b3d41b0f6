// What the call core stores in a response cache and how it finds it: the key (a digest of the
// question) and the entry (the answers as the model gave them, and the reply around them).
#pragma once

#include "protocol/wire.hpp"

#include <instructor/detail/tool_spec.hpp>

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace instructor::detail {

/// SHA-256 (hex) of the endpoint's base URL, the request body of a first attempt (as a whole
/// call sends it) and the schemas of the response models. Never the API key.
std::string cache_key(std::string_view base_url, std::string_view body,
                      std::span<tool_spec const> tools);

struct cache_entry {
    std::vector<answer> answers;  ///< as they were decoded (the whole reply in text modes)
    boost::json::value response;  ///< the reply they came in
    std::string endpoint;
    std::optional<std::string> run_url;
    /// When it stops being an answer (request::cache.ttl): milliseconds of the Unix epoch.
    std::optional<std::int64_t> expires_ms;
};

std::string serialize_entry(cache_entry const& e);
/// Null for anything that is not an entry this version wrote (corrupt, truncated, foreign).
std::optional<cache_entry> parse_entry(std::string_view text);

}  // namespace instructor::detail
