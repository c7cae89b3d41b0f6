// The OpenAI chat completions wire (every OpenAI-compatible mode), as pure functions.
#pragma once

#include "protocol/stream_pieces.hpp"
#include "protocol/prompts.hpp"
#include "protocol/wire.hpp"

namespace instructor::detail {

/// One message in chat's form; `index` (its place in the request) names it in the
/// errc::invalid_argument thrown for a part chat cannot take.
boost::json::object chat_message(message const& msg, std::size_t index);

/// The messages of the first attempt: the request's, plus what the mode injects (json,
/// json_schema and md_json put the schema in the system message; md_json adds a final user
/// instruction).
boost::json::array initial_messages(mode m, request const& req, tool_spec const& primary);

/// The chat completions body for one attempt.
boost::json::object build_chat_body(mode m, request const& req, std::string const& model,
                                    boost::json::array const& messages,
                                    std::span<tool_spec const> tools, bool legacy_json_schema,
                                    bool stream);

/// The same body written straight to its bytes: json::serialize(build_chat_body(...)) byte for
/// byte, without the tree (the messages and the schemas serialized where they are).
std::string write_chat_body(mode m, request const& req, std::string const& model,
                            boost::json::array const& messages, std::span<tool_spec const> tools,
                            bool legacy_json_schema, bool stream);

/// Whether the request's messages can be written without their tree: all plain text (a part
/// is checked, and may be refused, as the tree is built).
bool messages_writable(request const& req) noexcept;

/// write_chat_body of the first attempt, its messages written straight from the request
/// (messages_writable): the bytes write_chat_body writes with initial_messages(m, req, tools[0]).
std::string write_first_chat_body(mode m, request const& req, std::string const& model,
                                  std::span<tool_spec const> tools, bool legacy_json_schema,
                                  bool stream);

/// The answer(s) of a chat completion in mode `m`. Throws ins::error(protocol_error) when the
/// response is not a chat completion at all.
extraction extract_chat(mode m, boost::json::value const& response);

/// Usage of a chat completion (zeros when absent).
usage chat_usage(boost::json::value const& response);

/// What extract_chat reads of a chat completion's first choice, before it judges it: each
/// string as sent ("" when absent or not a string); the tool calls that have a function, their
/// ids and arguments as sent (arguments sent as an object, serialized).
struct chat_choice {
    std::string finish_reason, refusal, content, reasoning_content, reasoning, url;
    std::vector<answer> calls;
};

/// The extraction of `c` in mode `m`: the one judgment of the tree's and the one-pass readings.
extraction chat_extraction(mode m, chat_choice c);

/// A whole chat completion read in one pass, with no tree: what chat_usage and extract_chat
/// give for its tree. nullopt whenever that reading would have to reason about more than the
/// common reply (malformed JSON, a missing choice or message, a repeated member, a cost, a run
/// URL, arguments sent as an object, too many tool calls): then the tree reading decides.
std::optional<reply_reading> read_chat_reply(mode m, std::string_view body);

/// The messages appended for a re-ask of `got` with `errors` (one issue a line).
/// `prefix` goes before `errors` in a text mode's user turn (continue_cut: none).
boost::json::array reask_messages(mode m, extraction const& got, std::string const& errors,
                        std::string_view prefix = json_reask_prefix);

/// Parses one `data:` payload of a chat completions stream. Throws ins::error(protocol_error)
/// when it is not a JSON object.
chunk_delta parse_chat_chunk(std::string_view data);
/// Where a chunk's one text (content, refusal, reasoning_content or a call's arguments) is in
/// its bytes, when it is there as they are (no escape).
struct chunk_text {
    enum class kind : std::uint8_t { none, content, refusal, reasoning, arguments };
    kind at = kind::none;
    std::size_t call = 0;     ///< arguments: the index in chunk_delta::calls
    std::size_t at_byte = 0;  ///< the text's first byte, after its opening quote
    std::size_t size = 0;
};

/// A chat stream's chunks read in turn, each as parse_chat_chunk reads it, into one delta. A
/// stream's chunks mostly differ from the one before only in their text (the same id, model,
/// indexes and keys): a chunk whose bytes are the previous one's around a different printable
/// ASCII text (no quote, no backslash) is read by comparing those bytes, since the same bytes
/// mean the same; any other chunk is read whole.
class chat_chunks {
public:
    /// The chunk's delta (valid until the next read). Throws as parse_chat_chunk does.
    chunk_delta const& read(std::string_view data);

private:
    std::string& text_of(chunk_text const& t);

    chunk_delta d_;
    chunk_text text_;          // of the last chunk read whole; kind::none: none to compare
    std::string head_, tail_;  // its bytes before and after its text
};

/// The same reading through a JSON tree: what parse_chat_chunk's one-pass reading hands over
/// to whenever a chunk holds more than a delta, and what tests hold it to.
chunk_delta parse_chat_chunk_tree(std::string_view data);

std::unique_ptr<wire> make_openai_chat(mode m, client_options const& o);

/// The message of an OpenAI-compatible error body (OpenAI, OpenRouter, Ollama, vLLM...); empty
/// when it holds none (net::error_reader).
std::string openai_error_message(std::string_view body);

}  // namespace instructor::detail
