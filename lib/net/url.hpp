// The parts of an http(s) URL the transport needs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace instructor::net {

struct endpoint {
    bool tls = false;
    std::string host;    ///< without brackets for IPv6
    std::uint16_t port = 0;
    std::string target;  ///< path and query, at least "/"

    /// "https://host:443": the pool key.
    std::string origin() const;
};

/// Parses an absolute http:// or https:// URL; throws ins::error(invalid_argument) otherwise.
endpoint parse_url(std::string_view url);

/// `base` + "/" + `path` with exactly one slash between them.
std::string join_url(std::string_view base, std::string_view path);

/// `url` with `query` appended (names and values percent-encoded), after any query it has.
std::string with_query(std::string url,
                       std::vector<std::pair<std::string, std::string>> const& query);

/// The query of `url` (after its '?', without it), empty when it has none.
std::string_view query_of(std::string_view url);

}  // namespace instructor::net
