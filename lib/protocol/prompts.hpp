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

/// The json-mode system instructions around `schema`.
std::string json_instructions(boost::json::object const& schema);

/// The tool-mode re-ask text for `errors`.
std::string tool_feedback(std::string const& errors);

/// Python Instructor's default function description.
std::string default_description(std::string_view name);

}  // namespace instructor::detail
