// Provider wire formats, without I/O: the request body of each mode, the answer in a response,
// and the re-ask messages. Pure functions, unit-tested against recorded traffic.
#pragma once

#include <instructor/mode.hpp>
#include <instructor/request.hpp>
#include <instructor/usage.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace instructor::detail {

/// A response model as the wire sees it.
struct tool_spec {
    std::string name;         ///< function / json_schema name
    std::string description;  ///< function description
    boost::json::object const* schema = nullptr;         ///< full schema (title, description)
    boost::json::object const* parameters = nullptr;     ///< schema without root title/description
    boost::json::object const* strict_parameters = nullptr;  ///< OpenAI strict form of parameters
};

/// Python Instructor's default function description.
std::string default_description(std::string_view name);

/// The messages of the first attempt: the request's, plus what the mode injects (json and
/// md_json put the schema in the system message; md_json adds a final user instruction).
boost::json::array initial_messages(mode m, request const& req, tool_spec const& primary);

/// The chat completions body for one attempt.
boost::json::object build_chat_body(mode m, request const& req, std::string const& model,
                                    boost::json::array const& messages,
                                    std::span<tool_spec const> tools, bool legacy_json_schema,
                                    bool stream);

/// One answer found in a response: a tool call (name set) or the content.
struct answer {
    std::string name;
    std::string id;    ///< tool call id (generated when a provider omits it)
    std::string text;  ///< the JSON text to decode
};

struct extraction {
    std::vector<answer> answers;
    std::string finish_reason;
    std::optional<std::string> refusal;
    /// Set when the answer is missing or unusable (no tool call, no JSON block): a parse
    /// failure that is re-asked, not an API error.
    std::optional<std::string> problem;
};

/// The answer(s) of a chat completion in mode `m`. Throws ins::error(protocol_error) when the
/// response is not a chat completion at all.
extraction extract_chat(mode m, boost::json::value const& response);

/// Usage of a chat completion (zeros when absent).
usage chat_usage(boost::json::value const& response);

/// The JSON in free text: a ```json (or ```) fenced block, else the first balanced {...}.
std::optional<std::string_view> find_json_block(std::string_view text);

/// The messages appended for a re-ask after `response` failed with `errors` (one issue a line).
boost::json::array reask_messages(mode m, boost::json::value const& response,
                                  extraction const& got, std::string const& errors);

}  // namespace instructor::detail

namespace instructor::detail {

/// What one streamed chat.completion.chunk adds.
struct chunk_delta {
    struct call_piece {
        std::size_t index = 0;
        std::string id;
        std::string name;
        std::string arguments;
    };
    std::string content;
    std::string refusal;
    std::vector<call_piece> calls;
    std::optional<std::string> finish_reason;
    std::optional<instructor::usage> usage;
    std::optional<std::string> error;  ///< an error object sent inside the stream
};

/// Parses one `data:` payload of a chat completions stream. Throws ins::error(protocol_error)
/// when it is not a JSON object.
chunk_delta parse_chat_chunk(std::string_view data);

/// Follows streamed text to the JSON in it: skips prose before it, enters a ```json fence, and
/// stops at the closing fence. feed() returns the part of each piece that is JSON.
class json_text_follower {
public:
    std::string feed(std::string_view piece);

private:
    enum class state { seeking, fence_header, in_json, in_fenced_json, done };
    state state_ = state::seeking;
    std::size_t ticks_ = 0;  // backticks seen at the end of the last piece
};

}  // namespace instructor::detail

namespace instructor::detail {

// ---- Anthropic Messages API (anthropic_tools, anthropic_json) --------------------------------

/// The conversation in the Messages API's shape: the system prompt is a top-level field.
struct anthropic_prompt {
    std::string system;
    boost::json::array messages;
};

/// The first attempt's prompt: system messages joined into `system` (anthropic_json adds the
/// schema instructions there), the others converted (text and image parts).
anthropic_prompt anthropic_initial(mode m, request const& req, tool_spec const& primary);

/// The Messages API body (`max_tokens` defaults to 4096: the API requires it).
boost::json::object build_messages_body(mode m, request const& req, std::string const& model,
                                        anthropic_prompt const& prompt,
                                        std::span<tool_spec const> tools, bool stream);

/// The answer of a Messages API response. `finish_reason` is mapped to the chat completions
/// words ("max_tokens" becomes "length"); a "refusal" stop sets `refusal`.
extraction extract_messages(mode m, boost::json::value const& response);

/// Usage of a Messages API response (input, output and cache-read tokens).
usage messages_usage(boost::json::value const& response);

/// The messages appended for a re-ask (tool_result blocks with is_error for anthropic_tools).
boost::json::array anthropic_reask(mode m, boost::json::value const& response,
                                   extraction const& got, std::string const& errors);

}  // namespace instructor::detail

namespace instructor::detail {

/// One event of a Messages API stream as the chat-completions delta it amounts to: text and
/// input_json deltas, tool_use starts (name and id), stop reason ("max_tokens" as "length"),
/// usage, and `error` events. Sets `stopped` on message_stop. Throws ins::error(protocol_error)
/// when the data is not a JSON object.
chunk_delta parse_messages_event(std::string_view event, std::string_view data, bool& stopped);

}  // namespace instructor::detail
