// The mock endpoint's default answers (pure: request text in, reply out).
#pragma once

#include <instructor/testing/mock_server.hpp>

#include <optional>
#include <string_view>

namespace instructor::testing {

/// The answer to `body` sent to `target`: an OpenAI chat completion (for .../chat/completions),
/// an Anthropic message (for .../messages), an OpenAI Responses API response (for
/// .../responses) or a Gemini GenerateContentResponse (for ...:generateContent, and its SSE
/// stream for ...:streamGenerateContent) or a Bedrock Converse response (for
/// /model/{id}/converse, and its event-stream frames for .../converse-stream), streamed when
/// the request asks for it (typed events
/// for the Responses API),
/// holding an instance of the schema the request carries (tool parameters, response_format,
/// output_format, text.format, or a schema written into the system prompt). 400 for a body that is not a JSON object, 404
/// for another path.
mock_reply default_answer(std::string_view target, std::string_view body, mock_options const& o);

/// Whether `target` is one of Anthropic's paths (messages, message batches).
bool anthropic_path(std::string_view target);

/// Whether `target` is a Bedrock Converse path (`[prefix]/model/{id}/converse[-stream]`).
bool bedrock_path(std::string_view target);

/// Amazon Bedrock's gate on its paths: a bearer token (a Bedrock API key) passes; else the
/// request must carry a Signature Version 4 `Authorization` for service `bedrock`, signed with
/// `o.aws_secret_access_key`, dated within five minutes of now: else 403 as AWS answers
/// (MissingAuthenticationTokenException, InvalidSignatureException). nullopt elsewhere and
/// when the request may pass.
std::optional<mock_reply> bedrock_refusal(std::string_view method, std::string_view target,
                                          std::vector<net::header> const& headers,
                                          std::string_view body, mock_options const& o);

/// An error in the shape of the API `target` belongs to: Anthropic's on its paths, Bedrock's on
/// its, else OpenAI's.
mock_reply error_for(std::string_view target, unsigned status, std::string message,
                     std::vector<net::header> headers = {});

/// Azure OpenAI's gate on its paths (`/openai/...`): 401 without a key (`api-key`, or a bearer
/// token), 404 for a deployment path without `api-version`, as Azure answers; nullopt elsewhere
/// and when the request may pass.
std::optional<mock_reply> azure_refusal(std::string_view target, bool has_api_key,
                                        bool has_authorization);

/// The default answer to `body`, spoiled by fault `f` (see mock_fault).
mock_reply faulted_answer(mock_fault f, std::string_view target, std::string_view body,
                          mock_options const& o);

}  // namespace instructor::testing
