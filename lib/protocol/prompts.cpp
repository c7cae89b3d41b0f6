// Python Instructor's prompt texts.
#include "prompts.hpp"

#include "json_writer.hpp"

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
    std::string d(default_description_head);
    return d.append(name).append(default_description_tail);
}

void write_description(json_writer& w, std::string_view name, std::string_view given)
{
    if (given.empty())
        w.string({default_description_head, name, default_description_tail});
    else
        w.string(given);
}

}  // namespace instructor::detail
