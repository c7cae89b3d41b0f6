// Configuration of a client: plain aggregates with documented defaults.
#pragma once

#include <instructor/decode_options.hpp>
#include <instructor/mode.hpp>
#include <instructor/net/http_types.hpp>
#include <instructor/rate_limit.hpp>
#include <instructor/usage.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace instructor {

class cache;  // cache.hpp: the interface (Asio-free layers need only the pointer)
class rate_limiter;  // rate_limiter.hpp, likewise

/// Another endpoint to try when an attempt fails with a server, timeout or connection error
/// after network retries.
struct endpoint_config {
    std::string base_url;
    std::string api_key;
    std::string model;  ///< replaces the request's model on this endpoint; empty: keep it
};

/// AWS credentials for Amazon Bedrock (the bedrock modes): requests are signed with Signature
/// Version 4 when `client_options::api_key` is empty (a Bedrock API key there goes as a bearer
/// token instead). `from_provider("bedrock/...")` reads them from the standard environment.
struct aws_credentials {
    std::string access_key_id;
    std::string secret_access_key;  ///< never sent, printed, logged, hooked or put in an error
    std::string session_token;      ///< temporary credentials' token (`X-Amz-Security-Token`)
    /// The signing region; empty: the endpoint's (`bedrock-runtime.<region>.amazonaws.com`).
    std::string region;
};

struct client_options {
    std::string base_url = "https://api.openai.com/v1";  ///< any OpenAI-compatible endpoint
    std::string api_key;           ///< never printed, logged, hooked or put in an error
    instructor::mode mode = mode::tools;
    int max_network_retries = 2;   ///< 408/409/429/5xx/connection errors, with backoff
    std::string ca_file;           ///< extra trust anchor (PEM); peers are always verified
    std::string default_model;     ///< used when a request names no model
    std::vector<net::header> headers;  ///< sent with every request
    /// Query parameters added to every request's URL, calls and batch services alike
    /// (`{"api-version", "2024-10-21"}` for Azure OpenAI's deployment paths); percent-encoded.
    std::vector<std::pair<std::string, std::string>> query;
    /// The header that carries `api_key` as it is (`"api-key"` for Azure OpenAI); empty: the
    /// API's own way (`Authorization: Bearer`, Anthropic's `x-api-key`). Secret like the key.
    std::string api_key_header;
    /// json_schema mode sends the older `{type: json_object, schema}` shape that some
    /// OpenAI-compatible servers (Anyscale, Together) expect.
    bool legacy_json_schema_format = false;
    std::vector<endpoint_config> fallbacks;
    std::string anthropic_version = "2023-06-01";  ///< anthropic-version header (anthropic modes)
    /// Signs the bedrock modes' requests (Signature Version 4) when `api_key` is empty.
    std::optional<aws_credentials> aws;
    net::transport_options transport;  ///< timeouts, size limits, pool size, TLS
    /// How answers are decoded: lax scalars, extra keys ignored and almost-JSON repaired by
    /// default; `ins::strict_decoding` turns all three off. (`context` is the request's.)
    decode_options decoding;
    /// Validated answers kept for later calls with the same question (see cache.hpp); null: off.
    std::shared_ptr<instructor::cache> cache;
    /// Model name (as sent, an endpoint's own model included) to its price: each attempt's
    /// usage::cost_usd is computed from its usage where the provider reports no cost.
    std::map<std::string, price> prices;
    /// This client's own limits, shared by its copies (see rate_limit.hpp); unset: none.
    std::optional<instructor::rate_limit> rate_limit;
    /// A limiter shared with other clients (ins::make_rate_limiter) or processes
    /// (ins::make_redis_rate_limiter); with `rate_limit` too, a request waits for both.
    std::shared_ptr<instructor::rate_limiter> rate_limiter;
};

}  // namespace instructor
