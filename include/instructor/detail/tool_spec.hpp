// A response model as the wire sees it (what the typed templates hand to the untyped core).
#pragma once

#include <boost/json/object.hpp>

#include <string>

namespace instructor::detail {

struct tool_spec {
    std::string name;         ///< function / json_schema name
    std::string description;  ///< function description
    boost::json::object const* schema = nullptr;             ///< full schema (title, description)
    boost::json::object const* parameters = nullptr;         ///< schema without root title/description
    boost::json::object const* strict_parameters = nullptr;  ///< OpenAI strict form of parameters
};

}  // namespace instructor::detail
