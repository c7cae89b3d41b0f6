// What the mock endpoint answers to one request, when a test scripts it.
#pragma once

#include <instructor/net/http_types.hpp>

#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace instructor::testing {

/// One scripted answer. Fields combine: a delayed, drip-fed body cut after N bytes is fine.
struct mock_reply {
    unsigned status = 200;
    std::vector<net::header> headers;
    std::string body;  ///< sent verbatim
    std::string content_type = "application/json";
    std::chrono::milliseconds delay{0};  ///< before the status line
    /// 0: the body in one piece with Content-Length. Else chunked transfer encoding, this many
    /// bytes a chunk, `chunk_delay` apart (a drip-fed, slow body).
    std::size_t chunk_size = 0;
    std::chrono::milliseconds chunk_delay{0};
    /// For an SSE body (chunk_size > 0): one chunk per event, this far apart (a paced stream,
    /// mock_options::tokens_per_second); overrides chunk_size and chunk_delay.
    std::chrono::microseconds event_delay{0};
    /// Close the connection after this many body bytes (a response cut mid-body or mid-stream).
    std::optional<std::size_t> close_after_bytes;
    bool close_without_response = false;  ///< read the request, then close the connection
    /// Answer with `Connection: keep-alive`, then close anyway (a server dropping idle
    /// connections: the client's pooled connection is dead when it is next used).
    bool close_after_response = false;
    bool keep_alive = true;
    /// Bytes sent instead of a response (malformed HTTP), then the connection is closed.
    std::optional<std::string> raw;

    /// A 200 with this JSON body.
    static mock_reply json(std::string body);
    /// An error status with an OpenAI-shaped body `{"error": {"message", "type", "code"}}`.
    static mock_reply error(unsigned status, std::string message,
                            std::vector<net::header> headers = {});
    /// An error status with Anthropic's body `{"type": "error", "error": {"type", "message"}}`
    /// (429 rate_limit_error, 529 overloaded_error, 500 api_error, 4xx as the API names them).
    static mock_reply anthropic_error(unsigned status, std::string message,
                                      std::vector<net::header> headers = {});
    /// An AWS error (Amazon Bedrock): `x-amzn-ErrorType: <type>` ("ThrottlingException",
    /// "ValidationException") and the body `{"message"}`.
    static mock_reply aws_error(unsigned status, std::string type, std::string message);
    /// 429 with `Retry-After: <seconds>`.
    static mock_reply rate_limited(std::chrono::seconds retry_after);
    /// A server-sent event stream of these `data:` payloads, then `data: [DONE]` when `done`.
    static mock_reply sse(std::vector<std::string> const& payloads, bool done = true);
    /// A 200 whose body is `bytes` long (valid JSON: a string of that length).
    static mock_reply oversized(std::size_t bytes);

    // OpenAI chat completions.
    /// `choices[0].message.content = content`, with `finish_reason`.
    static mock_reply chat_content(std::string content, std::string finish_reason = "stop");
    /// One tool call `name(arguments)`.
    static mock_reply chat_tool_call(std::string name, std::string arguments);
    /// A structured-outputs refusal (`message.refusal`).
    static mock_reply chat_refusal(std::string message);

    // OpenAI Responses API.
    /// A completed response whose message says `text` (an output_text part).
    static mock_reply response_text(std::string text);
    /// A completed response with one function_call item `name(arguments)`.
    static mock_reply response_function_call(std::string name, std::string arguments);
    /// `status: incomplete` with `incomplete_details.reason` (max_output_tokens,
    /// content_filter), and the text produced so far.
    static mock_reply response_incomplete(std::string reason, std::string text = {});
    /// A completed response whose message is a refusal content part.
    static mock_reply response_refusal(std::string message);
    /// `response` as the Responses API streams it: typed events (`event:` lines), its text and
    /// function-call arguments in deltas of `piece` bytes, then response.completed (or
    /// response.incomplete / response.failed, after its status).
    static mock_reply response_stream(boost::json::object response, std::size_t piece = 16);
};

/// A Responses API response object with these output items (usage included).
boost::json::object response_object(boost::json::array output, std::string_view status = "completed",
                                    std::string_view incomplete_reason = {});

/// A chat.completion object with the given message and finish reason (usage included).
boost::json::object chat_completion(boost::json::object message, std::string_view finish_reason);

}  // namespace instructor::testing
