// The Anthropic Messages API wire (anthropic_tools, anthropic_json), as pure functions.
#pragma once

#include "protocol/stream_pieces.hpp"
#include "protocol/prompts.hpp"
#include "protocol/wire.hpp"

namespace instructor::detail {

/// The first attempt's conversation: system messages joined (with a blank line) into the
/// top-level `system` (anthropic_json adds the schema instructions there), the others converted
/// (text and image parts).
conversation anthropic_initial(mode m, request const& req, tool_spec const& primary);

/// The Messages API body (`max_tokens` defaults to 4096: the API requires it).
boost::json::object build_messages_body(mode m, request const& req, std::string const& model,
                                        conversation const& prompt,
                                        std::span<tool_spec const> tools, bool stream);

/// The same body written straight to its bytes: json::serialize(build_messages_body(...)) byte
/// for byte, without the tree.
std::string write_messages_body(mode m, request const& req, std::string const& model,
                                conversation const& prompt, std::span<tool_spec const> tools,
                                bool stream);

/// The answer of a Messages API response. `finish_reason` is mapped to the chat completions
/// words ("max_tokens" becomes "length"); a "refusal" stop sets `refusal`.
extraction extract_messages(mode m, boost::json::value const& response);

/// What extract_messages makes of a message's blocks once read: `x` holds the tool_use
/// answers, the kept thinking blocks and their reasoning; `stop` is the stop_reason as sent,
/// `text` the text blocks joined.
extraction messages_extraction(mode m, extraction x, std::string_view stop, std::string text);

/// Usage of a Messages API response (input, output and cache-read tokens).
usage messages_usage(boost::json::value const& response);

/// A whole Messages API response read in one pass, no tree: what messages_usage and
/// extract_messages make of its tree, or nullopt when the tree must say (not the common reply:
/// a thinking block, a repeated member, an input with a repeated or too many keys, ...).
std::optional<reply_reading> read_messages_reply(mode m, std::string_view body);

/// The messages appended for a re-ask: the reply as an assistant turn (text and tool_use
/// blocks; omitted when empty), then tool_result blocks with is_error (anthropic_tools) or the
/// JSON correction prompt.
/// `prefix` goes before `errors` in a text mode's user turn (continue_cut: none).
boost::json::array anthropic_reask(mode m, extraction const& got, std::string const& errors,
                        std::string_view prefix = json_reask_prefix);

/// One event of a Messages API stream as the delta it amounts to: text and input_json deltas,
/// tool_use starts (name and id), stop reason ("max_tokens" as "length"), usage, and `error`
/// events. Sets `stopped` on message_stop. Throws ins::error(protocol_error) when the data is
/// not a JSON object.
chunk_delta parse_messages_event(std::string_view event, std::string_view data, bool& stopped);

/// The same reading through a JSON tree (every event).
chunk_delta parse_messages_event_tree(std::string_view event, std::string_view data,
                                      bool& stopped);

/// A content_block_delta event's text or input_json delta read in one pass, no tree: what
/// parse_messages_event_tree makes of it, or nullopt for any other event (the tree's).
std::optional<chunk_delta> read_messages_delta(std::string_view event, std::string_view data);

std::unique_ptr<wire> make_anthropic_messages(mode m, client_options const& o);

/// The message of an Anthropic error body; empty when it holds none (net::error_reader).
std::string anthropic_error_message(std::string_view body);

}  // namespace instructor::detail
