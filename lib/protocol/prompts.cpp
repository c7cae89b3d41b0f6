// Python Instructor's prompt texts.
#include "prompts.hpp"

#include <boost/json/serialize.hpp>

namespace instructor::detail {

std::string json_instructions(boost::json::object const& schema)
{
    return "As a genius expert, your task is to understand the content and provide the parsed "
           "objects in json that match the following json_schema:\n\n" +
           boost::json::serialize(schema) +
           "\n\nMake sure to return an instance of the JSON, not the schema itself";
}

std::string tool_feedback(std::string const& errors)
{
    return "Validation Error found:\n" + errors + "\nRecall the function correctly, fix the errors";
}

std::string default_description(std::string_view name)
{
    return "Correctly extracted `" + std::string(name) +
           "` with all the required parameters with correct types";
}

}  // namespace instructor::detail
