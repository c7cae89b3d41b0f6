// Requests, responses and settings of the HTTP transport (no Asio here: plain data).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace instructor::net {

struct header {
    std::string name;
    std::string value;
};

/// Header names compared as HTTP does: ASCII letters without case (no locale).
bool same_header_name(std::string_view a, std::string_view b) noexcept;

/// Case-insensitive lookup of the first header named `name`.
std::optional<std::string_view> find_header(std::vector<header> const& headers,
                                            std::string_view name) noexcept;

/// Reads the server's own words from an error body in an API's format (empty when it holds
/// none). Set on a request by the API that made it: the transport knows statuses and bytes.
using error_reader = std::string (*)(std::string_view body);

struct http_request;

/// Signs one send of a request (AWS Signature Version 4): handed the Host header and the
/// target (path and query) as they are sent, returns the headers to add. Called for every
/// attempt, so a retry carries a signing time of its own.
using request_signer = std::function<std::vector<header>(
    std::string_view host, std::string_view target, http_request const& request)>;

struct http_request {
    std::string method = "POST";
    std::string url;              ///< absolute: http[s]://host[:port]/path
    std::vector<net::header> headers;  ///< sent as given (after Host, User-Agent, Content-Type)
    std::string body;
    /// When set (and `body` empty), the body is this file, read as it is sent: a large upload
    /// is never held in memory. Each attempt reads it from the start; it must stay unchanged
    /// until the request ends. Give its Content-Type in `headers`.
    std::string body_file;
    /// Header names whose values are secrets: never copied into errors, logs or hooks.
    std::vector<std::string> secret_headers{"authorization", "x-api-key", "api-key"};
    /// false: sent at most once, for a request that must not run twice (creating a batch). No
    /// retry of any kind, and no re-send after a pooled connection turns out closed: such a
    /// request always goes on a fresh connection.
    bool idempotent = true;
    /// Reads the server's message from a non-2xx body; null: the body's start, on one line.
    error_reader error_message = nullptr;
    /// Null: sent as it is.
    request_signer sign;
    /// Other values never copied into errors, logs or hooks (what a signer sends, such as a
    /// session token, is not among `headers`).
    std::vector<std::string> secrets;
};

struct http_response {
    unsigned status = 0;
    std::vector<net::header> headers;  ///< in the order and spelling they came
    std::string body;

    std::optional<std::string_view> find(std::string_view name) const noexcept
    {
        return find_header(headers, name);
    }
};

/// Transport settings; every duration and limit has a documented default.
struct transport_options {
    std::chrono::milliseconds connect_timeout{10'000};   ///< resolve + TCP connect + TLS handshake
    std::chrono::milliseconds request_timeout{600'000};  ///< one attempt, first byte sent to last byte read
    std::chrono::milliseconds idle_timeout{120'000};     ///< longest silence while reading a response
    /// Requests in flight per scheme+host+port (more wait for a free connection, within their
    /// deadline); as many idle connections are kept for reuse.
    std::size_t max_connections_per_host = 64;
    std::size_t max_header_bytes = 64 * 1024;
    std::size_t max_body_bytes = 16 * 1024 * 1024;
    std::string ca_file;  ///< extra trust anchors (PEM), added to the system store
    std::string ca_dir;   ///< hashed directory of extra trust anchors
    /// Disables certificate and host name verification. Only for local testing.
    bool danger_accept_invalid_certs = false;
    /// Default: "instructor-cpp/<version>". One with a line break or over 65533 bytes is an
    /// invalid_argument when the client is made.
    std::string user_agent;
    /// The HTTP proxy for every origin: `http://[user:password@]host[:port]` (port 80 when
    /// absent; the credentials go in Proxy-Authorization, never in a log or an error). https
    /// origins go through a CONNECT tunnel, with TLS verified end to end against the origin's
    /// name; http origins are asked in absolute form. Unset: `HTTPS_PROXY` (for https origins)
    /// or `HTTP_PROXY` (for http origins), lower case first, as curl and the official SDKs do
    /// (under CGI, where a request's `Proxy:` header becomes HTTP_PROXY, only `http_proxy`);
    /// an empty string: no proxy, whatever the environment says.
    std::optional<std::string> proxy;
    /// Origins reached directly, not through the proxy: a comma-separated list of host names
    /// (each also matching its subdomains; a leading dot is allowed; ports are ignored), IP
    /// addresses, CIDR ranges (`10.0.0.0/8`), or `*` alone for every origin. Unset:
    /// `NO_PROXY` / `no_proxy`.
    std::optional<std::string> no_proxy;
};

/// Network retries (the policy of the official OpenAI SDKs, see retry_policy.hpp).
struct retry_settings {
    int max_retries = 2;
    /// Bounds one attempt; default: transport_options::request_timeout.
    std::optional<std::chrono::milliseconds> attempt_timeout;
    /// The whole call, retries and backoff sleeps included; none when unset.
    std::optional<std::chrono::steady_clock::time_point> deadline;
    /// Called with every attempt's response head (2xx and errors, streams too), before any
    /// retry: what a rate limiter learns from. Must not throw.
    std::function<void(unsigned status, std::vector<header> const& headers)> on_head;
};

}  // namespace instructor::net
