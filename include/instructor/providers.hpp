// Clients for known providers, configured from the environment.
#pragma once

#include <instructor/client.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace instructor {

/// A provider reachable through its OpenAI-compatible endpoint.
struct provider_info {
    std::string_view name;          ///< "openai"
    std::string_view key_env;       ///< "OPENAI_API_KEY"; empty when no key is needed
    std::string_view base_url_env;  ///< "OPENAI_BASE_URL": overrides the default URL
    std::string_view base_url;      ///< default base URL
    instructor::mode mode;          ///< the mode that works best there
    /// json_schema there takes the older `{type: json_object, schema}` shape (Anyscale, Together):
    /// from_provider sets client_options::legacy_json_schema_format.
    bool legacy_json_schema = false;
};

/// Every provider from_provider() knows.
std::vector<provider_info> const& known_providers();

/// `"openai/gpt-4o-mini"`: a client for that provider with that default model (the part after
/// the first '/', verbatim, so `"workflowai/agent/gpt-4o"` works). The key and an optional base
/// URL come from the provider's environment variables, or else from a `.env` file in the working
/// directory; both from the same one (a key from the environment never goes to a base URL that
/// only the `.env` file names). Throws ins::error: invalid_argument for an
/// unknown provider (listing the known ones), missing_api_key when the key is not set.
///
/// `"azure/<deployment>"`: AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY (sent in the `api-key`
/// header, never as a bearer token), and OPENAI_API_VERSION: "v1" or unset for the OpenAI-shaped
/// paths under `<endpoint>/openai/v1` (the Responses API and batches too), a dated version
/// ("2024-10-21") for `<endpoint>/openai/deployments/<deployment>/...?api-version=<version>`,
/// which serves the chat modes only (Azure keeps files, batches and responses outside the
/// deployment: use "v1" for them).
///
/// `"bedrock/<modelId>"` (Amazon Bedrock's Converse API): a Bedrock API key in
/// AWS_BEARER_TOKEN_BEDROCK (sent as a bearer token), or else AWS_ACCESS_KEY_ID,
/// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (client_options::aws: each request signed with
/// Signature Version 4); AWS_REGION (or AWS_DEFAULT_REGION) names the endpoint
/// `https://bedrock-runtime.<region>.amazonaws.com` and the signing region;
/// AWS_ENDPOINT_URL_BEDROCK_RUNTIME (or AWS_ENDPOINT_URL) replaces the endpoint. All are read
/// from one source: the environment when it holds the token or an access key, else `.env`.
/// A key or `aws` credentials already in `base` are kept (credentials resolved elsewhere: a
/// profile, SSO, an instance role); the region and endpoint are still read.
client from_provider(boost::asio::any_io_executor executor, std::string_view provider_model,
                     client_options base = {});

/// A client from OPENAI_BASE_URL / OPENAI_API_KEY, or else WORKFLOWAI_API_URL /
/// WORKFLOWAI_API_KEY (and a `.env` file, as above; WorkflowAI gets structured_outputs, the
/// mode in `base` is kept for OpenAI). Throws ins::error(missing_api_key) when neither key is set.
client from_env(boost::asio::any_io_executor executor, client_options base = {});

/// The value of an environment variable, falling back to `.env` in the working directory.
std::string getenv_or_dotenv(std::string_view name);

}  // namespace instructor
