#include <instructor/providers.hpp>

#include "net/url.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>

namespace instructor {

std::vector<provider_info> const& known_providers()
{
    static std::vector<provider_info> const list{
        {"openai", "OPENAI_API_KEY", "OPENAI_BASE_URL", "https://api.openai.com/v1", mode::tools},
        {"workflowai", "WORKFLOWAI_API_KEY", "WORKFLOWAI_API_URL", "https://run.workflowai.com/v1",
         mode::structured_outputs},
        {"anyscale", "ANYSCALE_API_KEY", "ANYSCALE_BASE_URL",
         "https://api.endpoints.anyscale.com/v1", mode::json_schema, true},
        {"together", "TOGETHER_API_KEY", "TOGETHER_BASE_URL", "https://api.together.xyz/v1",
         mode::tools, true},
        {"groq", "GROQ_API_KEY", "GROQ_BASE_URL", "https://api.groq.com/openai/v1", mode::tools},
        {"openrouter", "OPENROUTER_API_KEY", "OPENROUTER_BASE_URL", "https://openrouter.ai/api/v1",
         mode::structured_outputs},
        {"ollama", "", "OLLAMA_BASE_URL", "http://localhost:11434/v1", mode::json_schema},
        {"gemini", "GEMINI_API_KEY", "GEMINI_BASE_URL",
         "https://generativelanguage.googleapis.com/v1beta/openai", mode::tools},
        {"mistral", "MISTRAL_API_KEY", "MISTRAL_BASE_URL", "https://api.mistral.ai/v1",
         mode::tools},
        {"anthropic", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "https://api.anthropic.com/v1",
         mode::anthropic_tools},
        // Gemini's own API (the `gemini` row above is its OpenAI-compatible endpoint); the key
        // may also be GOOGLE_API_KEY, as the Gen AI SDKs read it.
        {"google", "GEMINI_API_KEY", "GEMINI_BASE_URL",
         "https://generativelanguage.googleapis.com/v1beta", mode::genai_tools},
        // The endpoint is the resource's own (https://NAME.openai.azure.com): no default.
        {"azure", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "", mode::tools},
        // Amazon Bedrock: a Bedrock API key, or else AWS credentials that sign each request;
        // the endpoint is the region's (https://bedrock-runtime.<AWS_REGION>.amazonaws.com).
        {"bedrock", "AWS_BEARER_TOKEN_BEDROCK", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "",
         mode::bedrock_tools},
    };
    return list;
}

namespace {

std::string from_environment(std::string_view name)
{
    std::string key(name);
    char const* v = std::getenv(key.c_str());
    return v ? std::string(v) : std::string();
}

std::string from_dotenv(std::string_view name)
{
    std::ifstream in(".env");
    std::string line;
    while (std::getline(in, line)) {
        auto start = line.find_first_not_of(" \t");
        if (start == std::string::npos || line[start] == '#')
            continue;
        line.erase(0, start);
        if (line.rfind("export ", 0) == 0)
            line.erase(0, 7);
        auto eq = line.find('=');
        if (eq == std::string::npos || line.substr(0, eq) != name)
            continue;
        std::string value = line.substr(eq + 1);
        while (!value.empty() && (value.back() == '\r' || value.back() == ' '))
            value.pop_back();
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
            value.back() == value.front())
            value = value.substr(1, value.size() - 2);
        return value;
    }
    return {};
}

/// A key and the base URL it goes to, from one source: the environment when it holds the key,
/// else the .env file. A key from the environment is never sent to a URL a .env file names.
struct key_source {
    std::string key;
    std::string url;
};

key_source key_and_url(std::string_view key_env, std::string_view url_env)
{
    if (auto key = from_environment(key_env); !key.empty())
        return {std::move(key), from_environment(url_env)};
    if (auto key = from_dotenv(key_env); !key.empty())
        return {std::move(key), from_dotenv(url_env)};
    return {};
}

/// Azure OpenAI: the key in the `api-key` header; with API version "v1" (the default) the
/// OpenAI-shaped paths under `<endpoint>/openai/v1`, else the deployment's own paths with
/// `api-version` on every request.
void to_azure(client_options& o, std::string const& endpoint)
{
    if (endpoint.empty())
        throw error(errc::invalid_argument,
                    "set AZURE_OPENAI_ENDPOINT (https://<resource>.openai.azure.com) to use azure");
    auto const& deployment = o.default_model;
    bool const plain = std::ranges::all_of(deployment, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
    if (!plain || deployment.front() == '.')
        throw error(errc::invalid_argument,
                    "an Azure deployment name is letters, digits, '-', '_' and '.'");
    o.api_key_header = "api-key";
    auto version = getenv_or_dotenv("OPENAI_API_VERSION");
    if (version.empty() || version == "v1") {
        o.base_url = net::join_url(endpoint, "openai/v1");
        return;
    }
    o.base_url = net::join_url(endpoint, "openai/deployments/" + deployment);
    o.query.emplace_back("api-version", std::move(version));
}

/// Amazon Bedrock from the standard AWS variables, all from one source (the environment when
/// it holds a key or credentials, else the .env file): AWS_BEARER_TOKEN_BEDROCK as a bearer
/// token, else AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN to sign with (a
/// key or credentials in the options given are kept); AWS_REGION (or AWS_DEFAULT_REGION);
/// AWS_ENDPOINT_URL_BEDROCK_RUNTIME (or AWS_ENDPOINT_URL).
void to_bedrock(client_options& o)
{
    bool const env = !from_environment("AWS_BEARER_TOKEN_BEDROCK").empty() ||
                     !from_environment("AWS_ACCESS_KEY_ID").empty();
    auto get = [env](std::string_view name) {
        return env ? from_environment(name) : from_dotenv(name);
    };
    auto first = [&](std::string_view a, std::string_view b) {
        auto v = get(a);
        return v.empty() ? get(b) : v;
    };
    auto region = first("AWS_REGION", "AWS_DEFAULT_REGION");
    if (o.api_key.empty() && !o.aws)  // credentials the caller gave are kept
        o.api_key = get("AWS_BEARER_TOKEN_BEDROCK");
    if (o.api_key.empty() && !o.aws) {
        aws_credentials c{get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY"),
                          get("AWS_SESSION_TOKEN"), region};
        if (c.access_key_id.empty() || c.secret_access_key.empty())
            throw error(errc::missing_api_key,
                        "set AWS_BEARER_TOKEN_BEDROCK, or AWS_ACCESS_KEY_ID and "
                        "AWS_SECRET_ACCESS_KEY, to use bedrock");
        o.aws = std::move(c);
    }
    if (o.aws && !o.aws->region.empty())
        region = o.aws->region;
    else if (o.aws)
        o.aws->region = region;
    auto const url = first("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ENDPOINT_URL");
    bool const region_ok = !region.empty() && std::ranges::all_of(region, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-';  // it becomes part of a host name
    });
    if (!region_ok && (url.empty() || o.aws))
        throw error(errc::invalid_argument,
                    "set AWS_REGION (letters, digits and '-': us-east-1) to use bedrock");
    o.base_url = url.empty() ? "https://bedrock-runtime." + region + ".amazonaws.com" : url;
}

}  // namespace

std::string getenv_or_dotenv(std::string_view name)
{
    if (auto v = from_environment(name); !v.empty())
        return v;
    return from_dotenv(name);
}

client from_provider(boost::asio::any_io_executor executor, std::string_view provider_model,
                     client_options base)
{
    auto slash = provider_model.find('/');
    std::string_view name = provider_model.substr(0, slash);
    provider_info const* p = nullptr;
    for (auto const& k : known_providers())
        if (k.name == name)
            p = &k;
    if (!p) {
        std::string known;
        for (auto const& k : known_providers())
            known += (known.empty() ? "" : ", ") + std::string(k.name);
        throw error(errc::invalid_argument,
                    "unknown provider '" + std::string(name) + "'; known: " + known);
    }
    if (slash == std::string_view::npos || slash + 1 == provider_model.size())
        throw error(errc::invalid_argument, "expected \"provider/model\", got \"" +
                                                std::string(provider_model) + "\"");
    base.default_model = std::string(provider_model.substr(slash + 1));
    base.mode = p->mode;
    base.legacy_json_schema_format = base.legacy_json_schema_format || p->legacy_json_schema;
    if (p->name == "bedrock") {
        to_bedrock(base);
        return client(std::move(executor), std::move(base));
    }
    std::string url;
    if (p->key_env.empty()) {  // no key to protect
        url = getenv_or_dotenv(p->base_url_env);
    }
    else {
        auto found = key_and_url(p->key_env, p->base_url_env);
        if (found.key.empty() && p->name == "google")
            found = key_and_url("GOOGLE_API_KEY", p->base_url_env);
        if (found.key.empty())
            throw error(errc::missing_api_key,
                        "set " + std::string(p->key_env) +
                            (p->name == "google" ? " (or GOOGLE_API_KEY)" : "") + " to use " +
                            std::string(p->name));
        base.api_key = std::move(found.key);
        url = std::move(found.url);
    }
    if (p->name == "azure")
        to_azure(base, url);
    else
        base.base_url = url.empty() ? std::string(p->base_url) : url;
    return client(std::move(executor), std::move(base));
}

client from_env(boost::asio::any_io_executor executor, client_options base)
{
    if (auto found = key_and_url("OPENAI_API_KEY", "OPENAI_BASE_URL"); !found.key.empty()) {
        base.api_key = std::move(found.key);
        if (!found.url.empty())
            base.base_url = std::move(found.url);
        return client(std::move(executor), std::move(base));
    }
    if (auto found = key_and_url("WORKFLOWAI_API_KEY", "WORKFLOWAI_API_URL"); !found.key.empty()) {
        base.api_key = std::move(found.key);
        base.base_url = found.url.empty() ? "https://run.workflowai.com/v1" : std::move(found.url);
        base.mode = mode::structured_outputs;  // as from_provider("workflowai/...") gives
        return client(std::move(executor), std::move(base));
    }
    throw error(errc::missing_api_key, "set OPENAI_API_KEY or WORKFLOWAI_API_KEY");
}

}  // namespace instructor
