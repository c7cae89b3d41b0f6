// A response model as the wire sees it (what the typed templates hand to the untyped core).
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

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
};

/// `o` serialized (json::serialize), for a type's schema kept as text once.
std::string schema_text(boost::json::object const& o);

}  // namespace instructor::detail
