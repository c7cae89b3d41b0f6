// Amazon Bedrock's Converse API wire: bedrock_tools, bedrock_parallel_tools and bedrock_json,
// as pure functions. Streams come in AWS event-stream frames (event_stream.hpp); requests are
// signed with Signature Version 4 (sigv4.hpp) or carry a Bedrock API key as a bearer token.
#pragma once

#include "protocol/stream_pieces.hpp"
#include "protocol/prompts.hpp"
#include "protocol/wire.hpp"

namespace instructor::detail {

/// The first attempt's conversation: system messages joined into `system` (bedrock_json adds
/// the schema instructions), the others as Converse messages (text, image and document blocks;
/// consecutive messages of one role merged, as the API wants turns to alternate).
conversation bedrock_initial(mode m, request const& req, tool_spec const& primary);

/// The Converse body (the model and the stream choice go in the URL).
boost::json::object build_bedrock_body(mode m, request const& req, conversation const& conv,
                                       std::span<tool_spec const> tools);

/// The same body written straight to its bytes (json::serialize of build_bedrock_body): the
/// conversation serialized where it lives, each type's schema from its kept bytes.
std::string write_bedrock_body(mode m, request const& req, conversation const& conv,
                               std::span<tool_spec const> tools);

/// The answer of a Converse response. `stopReason` max_tokens is "length",
/// guardrail_intervened and content_filtered are "content_filter". Reasoning blocks are kept
/// for a re-ask.
extraction extract_bedrock(mode m, boost::json::value const& response);

/// A toolUse block as an answer, the `index`th call of its reply: an absent toolUseId is
/// "call_<index>"; `input` is the input serialized, "" when absent or null ("{}" then).
answer tool_use_answer(std::string name, std::string id, std::string input, std::size_t index);
/// What extract_bedrock makes of a reply's blocks once read (`x`: the text, the toolUse
/// answers, the kept reasoning), with its stopReason as sent.
extraction bedrock_extraction(mode m, extraction x, std::string_view stop_reason);

/// Usage from `usage` (cacheReadInputTokens as cached tokens).
usage bedrock_usage(boost::json::value const& response);

/// What a stream's contentBlockDelta event says when it is text or a tool's input piece.
struct bedrock_delta {
    std::uint64_t block = 0;  ///< contentBlockIndex
    bool tool_input = false;  ///< delta.toolUse.input, else delta.text
    std::string text;
};
/// A contentBlockDelta event's delta as read from its tree; nullopt for a reasoning delta.
std::optional<bedrock_delta> bedrock_delta_of(boost::json::object const& event);
/// The same read in one pass, no tree: nullopt for a reasoning delta or an uncommon event (a
/// repeated member, a delta that is not an object, malformed JSON, ...), which the tree reads.
std::optional<bedrock_delta> read_bedrock_delta(std::string_view data);

/// A whole Converse response read in one pass, no tree: what bedrock_usage and extract_bedrock
/// make of its tree, or nullopt when the tree must say (a reasoning block, a repeated member,
/// an input the rewriter leaves to the tree, ...).
std::optional<reply_reading> read_bedrock_reply(mode m, std::string_view body);

/// The messages appended for a re-ask: the reply as an assistant turn (reasoning, text and
/// toolUse blocks), then toolResult blocks (`status: "error"`) with the errors, or the JSON
/// correction prompt.
/// `prefix` goes before `errors` in a text mode's user turn (continue_cut: none).
boost::json::array bedrock_reask(mode m, extraction const& got, std::string const& errors,
                        std::string_view prefix = json_reask_prefix);

std::unique_ptr<wire> make_bedrock(mode m, client_options const& o);

/// The message of a Bedrock error body (`{"message": ...}`); empty when it holds none.
std::string bedrock_error_message(std::string_view body);

}  // namespace instructor::detail
