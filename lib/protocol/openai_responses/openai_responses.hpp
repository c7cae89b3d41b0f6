// The OpenAI Responses API wire (responses_tools, responses_structured_outputs), as pure
// functions: `POST {base_url}/responses`, input items, typed stream events.
#pragma once

#include "protocol/stream_pieces.hpp"
#include "protocol/prompts.hpp"
#include "protocol/wire.hpp"

namespace instructor::detail {

/// The request's messages as Responses API input items (user parts as input_text and
/// input_image; a role "tool" message as a function_call_output item).
boost::json::array responses_input(request const& req);

/// The Responses API body: the model, the input items, and a forced function tool
/// (responses_tools) or a strict json_schema text format (responses_structured_outputs);
/// `max_tokens` is sent as max_output_tokens.
boost::json::object build_responses_body(mode m, request const& req, std::string const& model,
                                         boost::json::array const& input,
                                         std::span<tool_spec const> tools, bool stream);
/// The same body written straight to its bytes: json::serialize(build_responses_body(...))
/// byte for byte, without the tree.
std::string write_responses_body(mode m, request const& req, std::string const& model,
                                 boost::json::array const& input,
                                 std::span<tool_spec const> tools, bool stream);

/// The answer of a Responses API response: function_call items (responses_tools) or the
/// message's output_text. `status: incomplete` maps its reason (max_output_tokens to "length",
/// content_filter); a refusal content part sets `refusal`; `status: failed` throws
/// ins::error(server_error) with the provider's message; a body without `output` is a
/// protocol_error.
extraction extract_responses(mode m, boost::json::value const& response);

/// Usage of a Responses API response (input/output tokens as prompt/completion tokens).
usage responses_usage(boost::json::value const& response);

/// The finish reason of a response's `status` and `incomplete_details.reason` as sent.
std::string responses_finish_reason(std::string const& status, std::string const& reason);
/// A function_call item as an answer, the `index`th call of its reply: an absent call_id is
/// "call_<index>", absent arguments "{}".
answer responses_call(std::string name, std::string call_id, std::string arguments,
                      std::size_t index);
/// What extract_responses makes of the output once read: the messages' output_text and
/// refusal parts joined, the function calls (ids and arguments filled in).
extraction responses_extraction(mode m, std::string content, std::vector<answer> calls,
                                std::string finish_reason, std::string refusal);

/// What a Responses stream's text, refusal or function call arguments delta event says.
struct responses_delta {
    std::string type;  ///< the event's `type`, or its SSE name when it has none
    std::uint64_t output_index = 0;
    std::string delta;
};
/// Whether `type` is one of those three delta events.
bool is_responses_delta(std::string_view type) noexcept;
/// A delta event's fields as read from its tree (`type` as above).
responses_delta responses_delta_of(std::string_view type, boost::json::object const& event);
/// The same read in one pass, no tree: nullopt for another event or an uncommon one (a
/// repeated member, malformed JSON, ...), which the tree then reads.
std::optional<responses_delta> read_responses_delta(std::string_view event,
                                                    std::string_view data);

/// A whole Responses API response read in one pass, no tree: what responses_usage and
/// extract_responses make of its tree, or nullopt when the tree must say (a failed status, a
/// reasoning item, a repeated member, ...).
std::optional<reply_reading> read_responses_reply(mode m, std::string_view body);

/// The input items appended for a re-ask: each function_call item followed by a
/// function_call_output item (same call_id) with the errors, or the text answer and the JSON
/// correction prompt.
/// `prefix` goes before `errors` in a text mode's user turn (continue_cut: none).
boost::json::array responses_reask(mode m, extraction const& got, std::string const& errors,
                        std::string_view prefix = json_reask_prefix);

std::unique_ptr<wire> make_openai_responses(mode m, client_options const& o);

}  // namespace instructor::detail
