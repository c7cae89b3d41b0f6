// Which HTTP proxy an origin goes through: transport_options::proxy / no_proxy, else the
// environment (private to lib/net).
#pragma once

#include <instructor/net/http_types.hpp>
#include "net/url.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace instructor::net::detail {

struct proxy_endpoint {
    std::string host;  ///< without brackets for IPv6
    std::uint16_t port = 80;
    std::string authorization;  ///< the Proxy-Authorization value ("Basic ..."), or empty
    /// The credentials' forms a proxy's error page may echo (the header's value, its base64,
    /// the password): redacted from errors as the API keys are.
    std::vector<std::string> secrets;

    /// "proxy http://host:port" for messages: never the credentials.
    std::string where() const;
};

/// Parses `http://[user:password@]host[:port]` (a bare `host:port` is taken as http).
/// Throws errc::invalid_argument, without repeating the URL (it may hold a password).
proxy_endpoint parse_proxy_url(std::string_view url, std::string_view source);

/// A NO_PROXY value, read once: names match themselves and their subdomains (a leading dot is
/// ignored), IP addresses match exactly or by CIDR range, `*` alone matches all; ports and
/// trailing dots are ignored, as curl does.
class no_proxy_list {
public:
    no_proxy_list() = default;
    explicit no_proxy_list(std::string_view list);
    bool matches(std::string_view host) const;

private:
    bool all_ = false;
    std::vector<std::string> entries_;  // lower case, bare (see entry_host)
};

/// no_proxy_list(list).matches(host).
bool no_proxy_matches(std::string_view list, std::string_view host);

class proxy_settings {
public:
    proxy_settings() = default;

    /// From the options, else the environment. Throws errc::invalid_argument for a bad URL.
    explicit proxy_settings(transport_options const& o);

    /// The proxy for `ep`, or null for a direct connection.
    proxy_endpoint const* for_origin(endpoint const& ep) const;

    /// The credentials' forms of every proxy configured (see proxy_endpoint::secrets).
    std::vector<std::string> secrets() const;

private:
    std::optional<proxy_endpoint> http_;
    std::optional<proxy_endpoint> https_;
    no_proxy_list no_proxy_;
};

}  // namespace instructor::net::detail
