// OpenAI chat completions in every mode, as Python Instructor sends and parses them.
#include <instructor/detail/protocol.hpp>

#include "prompts.hpp"

#include <instructor/error.hpp>

#include <boost/json/serialize.hpp>

namespace instructor::detail {

namespace json = boost::json;

namespace {


json::object const* object_at(json::object const& o, std::string_view key)
{
    auto const* v = o.if_contains(key);
    return v && v->is_object() ? &v->get_object() : nullptr;
}

std::string string_at(json::object const& o, std::string_view key)
{
    auto const* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

json::object function_of(tool_spec const& t, bool strict)
{
    json::object f{{"name", t.name},
                   {"description", t.description.empty() ? default_description(t.name)
                                                         : t.description},
                   {"parameters", strict ? *t.strict_parameters : *t.parameters}};
    if (strict)
        f["strict"] = true;
    return f;
}

/// Appends "\n\n" + `text` to a message's content: a string, or the first text part of a list.
void append_text(json::value& content, std::string_view text)
{
    if (content.is_array()) {
        for (auto& part : content.get_array()) {
            auto* p = part.if_object();
            auto* t = p ? p->if_contains("text") : nullptr;
            if (t && t->is_string()) {
                *t = std::string(t->get_string()) + "\n\n" + std::string(text);
                return;
            }
        }
        content.get_array().push_back(json::object{{"type", "text"}, {"text", text}});
        return;
    }
    std::string current = content.is_string() ? std::string(content.get_string()) : std::string();
    content = current.empty() ? std::string(text) : current + "\n\n" + std::string(text);
}

/// The balanced {...} (or [...]) that starts at `text[0]`, skipping brackets inside strings;
/// the rest of the text when it never closes.
std::string_view balanced(std::string_view text)
{
    int depth = 0;
    bool in_string = false, escaped = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"')
            in_string = true;
        else if (c == '{' || c == '[')
            ++depth;
        else if ((c == '}' || c == ']') && --depth == 0)
            return text.substr(0, i + 1);
    }
    return text;
}

}  // namespace

std::string json_instructions(json::object const& schema)
{
    return "As a genius expert, your task is to understand the content and provide the parsed "
           "objects in json that match the following json_schema:\n\n" +
           json::serialize(schema) +
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

json::array initial_messages(mode m, request const& req, tool_spec const& primary)
{
    json::array out;
    for (auto const& msg : req.messages)
        out.push_back(msg.to_json());
    if (m != mode::json && m != mode::md_json)
        return out;
    std::string const instructions = json_instructions(*primary.schema);
    // Appended to an existing system message (to its first text part when it has parts), else
    // a new first message.
    if (!out.empty() && out[0].as_object().at("role") == "system") {
        append_text(out[0].as_object()["content"], instructions);
    }
    else {
        out.insert(out.begin(), json::object{{"role", "system"}, {"content", instructions}});
    }
    if (m == mode::md_json) {
        // Merged into a trailing user message, as Python Instructor's merge_consecutive_messages
        // does: some providers reject two user messages in a row.
        auto* last = out.empty() ? nullptr : &out.back().as_object();
        if (last && last->at("role") == "user")
            append_text((*last)["content"], md_json_instruction);
        else
            out.push_back(json::object{{"role", "user"}, {"content", md_json_instruction}});
    }
    return out;
}

json::object build_chat_body(mode m, request const& req, std::string const& model,
                             json::array const& messages, std::span<tool_spec const> tools,
                             bool legacy_json_schema, bool stream)
{
    if (tools.empty())
        throw error(errc::invalid_argument, "no response model");
    if (is_anthropic_mode(m))
        throw error(errc::invalid_argument,
                    "the anthropic modes speak the Messages API, not chat completions");
    json::object body{{"model", model}, {"messages", messages}};
    tool_spec const& t = tools.front();
    switch (m) {
    case mode::tools:
    case mode::tools_strict: {
        bool const strict = m == mode::tools_strict;
        body["tools"] = json::array{json::object{{"type", "function"}, {"function", function_of(t, strict)}}};
        body["tool_choice"] = json::object{{"type", "function"}, {"function", {{"name", t.name}}}};
        break;
    }
    case mode::parallel_tools: {
        json::array fns;
        for (auto const& each : tools)
            fns.push_back(json::object{{"type", "function"}, {"function", function_of(each, false)}});
        body["tools"] = std::move(fns);
        body["tool_choice"] = "auto";
        break;
    }
    case mode::json:
        body["response_format"] = json::object{{"type", "json_object"}};
        break;
    case mode::json_schema:
        if (legacy_json_schema)
            body["response_format"] = json::object{{"type", "json_object"}, {"schema", *t.parameters}};
        else
            body["response_format"] = json::object{
                {"type", "json_schema"},
                {"json_schema", {{"name", t.name}, {"schema", *t.parameters}}}};
        break;
    case mode::md_json:
        break;
    case mode::structured_outputs:
        body["response_format"] = json::object{
            {"type", "json_schema"},
            {"json_schema", {{"name", t.name}, {"schema", *t.strict_parameters}, {"strict", true}}}};
        break;
    default: break;
    }
    if (req.temperature)
        body["temperature"] = *req.temperature;
    if (req.max_tokens)
        body["max_tokens"] = *req.max_tokens;
    if (stream) {
        body["stream"] = true;
        body["stream_options"] = json::object{{"include_usage", true}};
    }
    for (auto const& kv : req.extra_body)
        body[kv.key()] = kv.value();  // last, so callers can override anything
    return body;
}

usage chat_usage(json::value const& response)
{
    usage u;
    if (!response.is_object())
        return u;
    auto const* us = object_at(response.get_object(), "usage");
    if (!us)
        return u;
    auto num = [](json::object const& o, std::string_view k) -> std::uint64_t {
        auto const* v = o.if_contains(k);
        if (!v)
            return 0;
        if (v->is_int64())
            return v->get_int64() > 0 ? static_cast<std::uint64_t>(v->get_int64()) : 0;
        if (v->is_uint64())
            return v->get_uint64();
        return 0;
    };
    u.prompt_tokens = num(*us, "prompt_tokens");
    u.completion_tokens = num(*us, "completion_tokens");
    u.total_tokens = num(*us, "total_tokens");
    if (u.total_tokens == 0)
        u.total_tokens = u.prompt_tokens + u.completion_tokens;
    if (auto const* d = object_at(*us, "prompt_tokens_details"))
        u.cached_tokens = num(*d, "cached_tokens");
    if (auto const* d = object_at(*us, "completion_tokens_details"))
        u.reasoning_tokens = num(*d, "reasoning_tokens");
    return u;
}

std::optional<std::string_view> find_json_block(std::string_view text)
{
    if (auto fence = text.find("```"); fence != std::string_view::npos) {
        auto start = text.find('\n', fence);
        auto end = start == std::string_view::npos ? start : text.find("```", start);
        if (end != std::string_view::npos)
            return text.substr(start + 1, end - start - 1);
    }
    // The first balanced {...}; unbalanced, the rest: the decoder reports where it breaks.
    auto open = text.find('{');
    if (open == std::string_view::npos)
        return std::nullopt;
    return balanced(text.substr(open));
}

extraction extract_chat(mode m, json::value const& response)
{
    auto const* root = response.if_object();
    auto const* choices = root ? root->if_contains("choices") : nullptr;
    if (!choices || !choices->is_array() || choices->get_array().empty() ||
        !choices->get_array()[0].is_object())
        throw error(errc::protocol_error, "the response is not a chat completion (no choices)");
    auto const& choice = choices->get_array()[0].get_object();
    auto const* msg = object_at(choice, "message");
    if (!msg)
        throw error(errc::protocol_error, "the response's first choice has no message");

    extraction x;
    x.finish_reason = string_at(choice, "finish_reason");
    if (auto const* r = msg->if_contains("refusal"); r && r->is_string() && !r->get_string().empty())
        x.refusal = std::string(r->get_string());
    std::string const content = string_at(*msg, "content");

    if (is_tools_mode(m)) {
        auto const* calls = msg->if_contains("tool_calls");
        if (calls && calls->is_array())
            for (auto const& c : calls->get_array()) {
                auto const* co = c.if_object();
                auto const* fn = co ? object_at(*co, "function") : nullptr;
                if (!fn)
                    continue;
                answer a;
                a.name = string_at(*fn, "name");
                a.id = string_at(*co, "id");
                if (a.id.empty())  // Gemini's OpenAI endpoint omits ids
                    a.id = "call_" + std::to_string(x.answers.size());
                auto const* args = fn->if_contains("arguments");
                if (args && args->is_string())
                    a.text = std::string(args->get_string());
                else if (args && args->is_object())
                    a.text = json::serialize(*args);  // some servers send an object
                if (a.text.empty())
                    a.text = "{}";  // a tool without parameters
                x.answers.push_back(std::move(a));
            }
        if (x.answers.empty() && !x.refusal)
            x.problem = "The reply did not call a function; call the function with the JSON arguments.";
        return x;
    }

    std::string_view text = content;
    auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && (text[first] == '{' || text[first] == '[')) {
        text = balanced(text.substr(first));  // prose after the object is not part of it
    }
    else if (auto block = find_json_block(text)) {
        text = *block;  // md_json answers in a fence; the other json modes tolerate one too
    }
    if (content.empty() && !x.refusal)
        x.problem = "The reply has no content; answer with the JSON object.";
    else if (m == mode::md_json && text.find('{') == std::string_view::npos && !x.refusal)
        x.problem = "The reply has no JSON block; return the JSON within a ```json codeblock.";
    x.answers.push_back({{}, {}, std::string(text)});
    return x;
}

json::array reask_messages(mode m, json::value const& response, extraction const& got,
                           std::string const& errors)
{
    json::array out;
    json::object const* msg = nullptr;
    if (auto const* root = response.if_object())
        if (auto const* ch = root->if_contains("choices"); ch && ch->is_array() && !ch->get_array().empty())
            if (auto const* c0 = ch->get_array()[0].if_object())
                msg = object_at(*c0, "message");
    std::string content = msg ? string_at(*msg, "content") : std::string();

    if (is_tools_mode(m) && !got.answers.empty()) {
        json::array calls;
        for (auto const& a : got.answers)
            calls.push_back(json::object{{"id", a.id},
                                         {"type", "function"},
                                         {"function", {{"name", a.name}, {"arguments", a.text}}}});
        out.push_back(json::object{{"role", "assistant"}, {"content", content}, {"tool_calls", std::move(calls)}});
        for (auto const& a : got.answers)
            out.push_back(json::object{
                {"role", "tool"},
                {"tool_call_id", a.id},
                {"name", a.name},
                {"content", tool_feedback(errors)}});
        return out;
    }
    out.push_back(json::object{{"role", "assistant"}, {"content", content}});
    if (is_tools_mode(m))
        out.push_back(json::object{{"role", "user"}, {"content", tool_feedback(errors)}});
    else
        out.push_back(json::object{
            {"role", "user"},
            {"content", std::string(json_reask_prefix) + errors}});
    return out;
}

}  // namespace instructor::detail
