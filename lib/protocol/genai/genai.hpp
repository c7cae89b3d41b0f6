// Google's Gemini API (generateContent) wire: genai_tools, genai_parallel_tools and
// genai_structured_outputs, as pure functions.
#pragma once

#include "protocol/stream_pieces.hpp"
#include "protocol/prompts.hpp"
#include "protocol/wire.hpp"

namespace instructor::detail {

/// The first attempt's conversation: system messages joined into `system` (sent as
/// `systemInstruction`), the others as `contents` with Gemini's roles (`user`, `model`) and
/// parts (text, inlineData, fileData).
conversation genai_initial(mode m, request const& req);

/// The generateContent body (the model and the stream choice go in the URL, not here).
boost::json::object build_genai_body(mode m, request const& req, conversation const& conv,
                                     std::span<tool_spec const> tools);

/// The same body written straight to its bytes (json::serialize of build_genai_body): the
/// conversation serialized where it lives, the schemas from their kept bytes.
std::string write_genai_body(mode m, request const& req, conversation const& conv,
                             std::span<tool_spec const> tools);

/// The answer of a GenerateContentResponse. `finishReason` STOP is "stop", MAX_TOKENS "length",
/// the safety reasons and a prompt's blockReason "content_filter". The model's parts are kept
/// as they came (thought signatures included) for a re-ask.
extraction extract_genai(mode m, boost::json::value const& response);

/// Usage from `usageMetadata`: thoughts count as completion and as reasoning tokens.
usage genai_usage(boost::json::value const& response);
/// The same from its counts as sent (a total of 0: the sum).
usage genai_usage_from(std::uint64_t prompt, std::uint64_t candidates, std::uint64_t thoughts,
                       std::uint64_t cached, std::uint64_t total);

/// A functionCall part as an answer, the `index`th call of its reply: an absent id is
/// "call_<index>"; `args` is the args object serialized ("{}" when it is not an object).
answer genai_call_answer(std::string name, std::string id, std::string args, std::size_t index);
/// What extract_genai makes of a first candidate's parts once read (`x`: the text, the calls,
/// the reasoning, the parts kept), with its finishReason as sent.
extraction genai_extraction(mode m, extraction x, std::string_view finish_reason);

/// A whole GenerateContentResponse read in one pass (genai_one_pass.cpp), when a re-ask rebuilt
/// from its answers sends the very parts it holds, so none need keeping: a first candidate
/// whose parts are at most one text part (not empty) then, in a tools mode, functionCall parts
/// of a `name` then an `args` object and nothing else (no id, thought or signature). Any other
/// reply, and one the tree would refuse, is left to the tree (nullopt).
std::optional<reply_reading> read_genai_reply(mode m, std::string_view body);

/// The contents appended for a re-ask: the model's turn as it gave it, then a user turn of
/// functionResponse parts carrying the errors (tools) or the JSON correction prompt.
/// `prefix` goes before `errors` in a text mode's user turn (continue_cut: none).
boost::json::array genai_reask(mode m, extraction const& got, std::string const& errors,
                        std::string_view prefix = json_reask_prefix);

/// A JSON Schema (as the schema builder writes it) as a function declaration's `parameters`,
/// Gemini's OpenAPI subset: `$ref`s inlined, `null` alternatives as `nullable`, `const` as a
/// one-value `enum`, and what the subset lacks dropped (`additionalProperties: false`, exclusive
/// bounds). invalid_argument for a recursive model (the subset has no references) and for a
/// map (no `additionalProperties` schema either).
boost::json::object genai_function_schema(boost::json::object const& schema);

/// `t`'s parameters as genai_function_schema serializes them: converted once per type when its
/// schema's bytes are kept beside it (tool_spec_for's), else into `scratch`.
std::string_view genai_function_schema_text(tool_spec const& t, std::string& scratch);

/// A stream event (a GenerateContentResponse) whose first candidate's parts are all text
/// pieces (`{"text": ...}`, or a thought's `{"text": ..., "thought": true}` in that order),
/// read in one pass (genai_one_pass.cpp): what the stream reader takes of it. Any other event
/// (a call, a signature, an error, no first candidate, a repeated member, more pieces than
/// `max_pieces`) is left to the tree (nullopt).
struct genai_event {
    static constexpr std::size_t max_pieces = 8;
    std::string text;                       ///< the pieces, one after another
    std::size_t ends[max_pieces] = {};      ///< where each piece ends in `text`
    bool thought[max_pieces] = {};          ///< whether each is a thought's
    std::size_t pieces = 0;
    std::string finish_reason;              ///< as sent
    std::optional<instructor::usage> used;  ///< from usageMetadata when it is an object
};
std::optional<genai_event> read_genai_event(std::string_view data);

/// The stream reader of a mode; `one_pass` false reads every event through its tree (what the
/// tests hold the one-pass reading to).
std::unique_ptr<stream_reader> make_genai_reader(mode m, bool one_pass = true);

std::unique_ptr<wire> make_genai(mode m, client_options const& o);

/// The message of a Google error body (`{"error": {"code", "message", "status"}}`, or an array
/// of them as streams send it); empty when it holds none (net::error_reader).
std::string genai_error_message(std::string_view body);

}  // namespace instructor::detail
