// The prompt texts Python Instructor uses, shared by the wires.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace instructor::detail {

inline constexpr std::string_view md_json_instruction =
    "Return the correct JSON response within a ```json codeblock. not the JSON_SCHEMA";
inline constexpr std::string_view json_reask_prefix =
    "Correct your JSON ONLY RESPONSE, based on the following errors:\n";

/// What asks a model for the rest of an answer cut at its token limit (continue_answer).
inline constexpr std::string_view continue_prompt =
    "Your answer was cut off at the output limit. Continue it exactly where it stopped: write "
    "only the rest, without repeating anything and without any other text.";

/// The json-mode system instructions around `schema`.
std::string json_instructions(boost::json::object const& schema);

/// The tool-mode re-ask text for `errors`.
std::string tool_feedback(std::string const& errors);

/// The re-ask text of every tool call after the first: the errors go once, in the first
/// call's result, so a reply with many calls never multiplies them.
inline constexpr std::string_view tool_feedback_see_first =
    "Validation Error found: see the first tool result. Recall the function correctly, fix the "
    "errors";

/// The re-ask text of call `i` of a reply: the errors for the first, a pointer for the others.
inline std::string tool_feedback_for(std::size_t i, std::string const& errors)
{
    return i == 0 ? tool_feedback(errors) : std::string(tool_feedback_see_first);
}

/// Python Instructor's default function description, around the function's name.
inline constexpr std::string_view default_description_head = "Correctly extracted `";
inline constexpr std::string_view default_description_tail =
    "` with all the required parameters with correct types";
std::string default_description(std::string_view name);

class json_writer;
struct tool_spec;
/// A tool's description as a body holds it: its own, or the default for its name (the kept
/// description_json when there is one, else written in place: no string made per call).
void write_description(json_writer& w, tool_spec const& t);
/// A tool's name as a body holds it (its kept name_json when there is one).
json_writer& write_name(json_writer& w, tool_spec const& t);

}  // namespace instructor::detail
