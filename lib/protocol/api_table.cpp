// The rows of the API table (api_table.hpp): the one place a mode is mapped to its API.
#include "protocol/api_table.hpp"

#include "protocol/anthropic_messages/anthropic_messages.hpp"
#include "protocol/batch_services.hpp"
#include "protocol/bedrock/bedrock.hpp"
#include "protocol/genai/genai.hpp"
#include "protocol/openai_chat/openai_chat.hpp"
#include "protocol/openai_responses/openai_responses.hpp"

#include "net/url.hpp"


#include <algorithm>
#include <array>

namespace instructor::detail {

namespace {

std::vector<net::header> bearer(std::string const& key)
{
    if (key.empty())
        return {};
    return {{"Authorization", "Bearer " + key}};
}

std::vector<net::header> x_api_key(std::string const& key)
{
    if (key.empty())
        return {};
    return {{"x-api-key", key}};
}

bool speaks_chat(mode m) noexcept
{
    return !is_anthropic_mode(m) && !is_responses_mode(m) && !is_genai_mode(m) &&
           !is_bedrock_mode(m);
}
bool speaks_responses(mode m) noexcept { return is_responses_mode(m); }
bool speaks_messages(mode m) noexcept { return is_anthropic_mode(m); }
bool speaks_genai(mode m) noexcept { return is_genai_mode(m); }
bool speaks_bedrock(mode m) noexcept { return is_bedrock_mode(m); }

std::vector<net::header> x_goog_api_key(std::string const& key)
{
    if (key.empty())
        return {};
    return {{"x-goog-api-key", key}};
}

// OpenAI's Batch API takes 50,000 lines and 200 MB a file; Anthropic's Message Batches 100,000
// requests and 256 MB.
constexpr batch_limits openai_batch{50'000, 200 * 1024 * 1024};
constexpr batch_limits message_batches{100'000, 256 * 1024 * 1024};

std::array<api_row, 5> const rows{{
    {"openai_chat", speaks_chat, "chat/completions", "/v1/chat/completions", openai_batch, bearer,
     openai_error_message, make_openai_chat, make_openai_batches},
    {"openai_responses", speaks_responses, "responses", "/v1/responses", openai_batch, bearer,
     openai_error_message, make_openai_responses, make_openai_batches},
    {"anthropic_messages", speaks_messages, "messages", "/v1/messages", message_batches, x_api_key,
     anthropic_error_message, make_anthropic_messages, make_anthropic_batches},
    // The model and the method are in the path; no batch service here (yet).
    {"genai", speaks_genai, "models/{model}:generateContent", "", {0, 0}, x_goog_api_key,
     genai_error_message, make_genai, nullptr},
    // The model id and the stream choice are in the path; a Bedrock API key goes as a bearer
    // token, else the wire signs each request (Signature Version 4). No batch service here.
    {"bedrock_converse", speaks_bedrock, "model/{modelId}/converse", "", {0, 0}, bearer,
     bedrock_error_message, make_bedrock, nullptr},
}};

}  // namespace

std::span<api_row const> api_rows() noexcept { return rows; }

api_row const& api_for(mode m) noexcept
{
    for (auto const& r : rows)
        if (r.speaks(m))
            return r;
    return rows.front();  // unreachable: every mode has one row (api_table_test checks it)
}

net::http_request api_request(api_row const& api, endpoint_config const& ep, std::string_view path,
                              std::vector<net::header> own, request_extras const& extra,
                              std::string body)
{
    net::http_request hr;
    hr.url = net::with_query(net::join_url(ep.base_url, path), extra.query);
    if (extra.key_header.empty())
        hr.headers = api.auth(ep.api_key);
    else if (!ep.api_key.empty())
        hr.headers = {{extra.key_header, ep.api_key}};
    for (auto const& h : hr.headers)  // the key's headers stay out of errors, logs and hooks
        if (std::ranges::none_of(hr.secret_headers,
                                 [&](auto const& n) { return net::same_header_name(n, h.name); }))
            hr.secret_headers.push_back(h.name);
    hr.headers.reserve(hr.headers.size() + own.size() + extra.headers.size());  // one allocation
    hr.headers.insert(hr.headers.end(), std::make_move_iterator(own.begin()),
                      std::make_move_iterator(own.end()));
    hr.headers.insert(hr.headers.end(), extra.headers.begin(), extra.headers.end());
    hr.body = std::move(body);
    hr.error_message = api.error_message;
    return hr;
}

}  // namespace instructor::detail

instructor::batch_limits instructor::batch_limits_for(mode m) noexcept
{
    return detail::api_for(m).batches;
}
