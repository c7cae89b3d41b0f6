// A response model as the wire sees it (what the typed templates hand to the untyped core).
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace instructor::detail {

struct tool_spec {
    std::string name;         ///< function / json_schema name
    std::string description;  ///< function description
    boost::json::object const* schema = nullptr;             ///< full schema (title, description)
    boost::json::object const* parameters = nullptr;         ///< schema without root title/description
    boost::json::object const* strict_parameters = nullptr;  ///< OpenAI strict form of parameters
    /// `parameters` and `strict_parameters` serialized, kept beside them by the typed templates
    /// (once per type): a body is written with these bytes instead of serializing the schema on
    /// every call. Empty: serialize the object. Whoever sets them keeps them the serialization
    /// of the objects pointed at (a copy that points `parameters` elsewhere clears them), and
    /// sets them only for objects that live as long as the program (a type's static schema):
    /// a wire may keep what it derives from `*parameters` under its address (Gemini's function
    /// schema).
    std::string_view parameters_json;
    std::string_view strict_parameters_json;
    /// `name`, and the description a body sends (`description`, or the default for `name`),
    /// as JSON strings (quotes and escapes in), kept with specs made once (with_json_texts): a
    /// body copies them instead of escaping them on every call. Empty: written from `name` and
    /// `description`.
    std::string name_json;
    std::string description_json;
};

/// `o` serialized (json::serialize), for a type's schema kept as text once.
std::string schema_text(boost::json::object const& o);

/// `specs` with their name_json and description_json set.
std::vector<tool_spec> with_json_texts(std::vector<tool_spec> specs);

}  // namespace instructor::detail
