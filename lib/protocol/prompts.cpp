// Python Instructor's prompt texts.
#include "prompts.hpp"

#include "json_writer.hpp"

#include <instructor/detail/tool_spec.hpp>

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

void write_description(json_writer& w, tool_spec const& t)
{
    if (!t.description_json.empty())
        w.raw(t.description_json);
    else if (t.description.empty())
        w.string({default_description_head, t.name, default_description_tail});
    else
        w.string(t.description);
}

json_writer& write_name(json_writer& w, tool_spec const& t)
{
    return t.name_json.empty() ? w.string(t.name) : w.raw(t.name_json);
}

std::vector<tool_spec> with_json_texts(std::vector<tool_spec> specs)
{
    for (auto& t : specs) {
        json_writer name(t.name.size() + 8);
        write_name(name, t);
        json_writer description(128);
        write_description(description, t);  // a text already kept is written as it is
        t.name_json = name.take();
        t.description_json = description.take();
    }
    return specs;
}

}  // namespace instructor::detail
