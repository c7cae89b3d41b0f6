// The Anthropic Messages API in anthropic_tools and anthropic_json modes.
#include <instructor/detail/protocol.hpp>

#include "prompts.hpp"

#include <instructor/error.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace instructor::detail {

namespace json = boost::json;

namespace {

constexpr int default_max_tokens = 4096;

std::string string_at(json::object const& o, std::string_view key)
{
    auto const* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

/// An image part: a URL source, or base64 for a data: URL.
json::object image_block(std::string const& url)
{
    if (url.rfind("data:", 0) == 0) {
        auto semi = url.find(';');
        auto comma = url.find(',');
        if (semi != std::string::npos && comma != std::string::npos && semi < comma)
            return {{"type", "image"},
                    {"source", {{"type", "base64"},
                                {"media_type", url.substr(5, semi - 5)},
                                {"data", url.substr(comma + 1)}}}};
    }
    return {{"type", "image"}, {"source", {{"type", "url"}, {"url", url}}}};
}

json::value content_of(message const& msg)
{
    if (msg.parts.empty())
        return json::value(msg.content);
    json::array blocks;
    for (auto const& p : msg.parts)
        blocks.push_back(p.type == "image_url" ? image_block(p.text)
                                               : json::object{{"type", "text"}, {"text", p.text}});
    return blocks;
}

}  // namespace

anthropic_prompt anthropic_initial(mode m, request const& req, tool_spec const& primary)
{
    anthropic_prompt p;
    for (auto const& msg : req.messages) {
        if (msg.role == "system") {
            if (!p.system.empty())
                p.system += "\n\n";
            p.system += msg.content;
            for (auto const& part : msg.parts)
                if (part.type == "text")
                    p.system += part.text;
            continue;
        }
        p.messages.push_back(json::object{{"role", msg.role}, {"content", content_of(msg)}});
    }
    if (m == mode::anthropic_json) {
        std::string const instructions = json_instructions(*primary.schema);
        p.system = p.system.empty() ? instructions : p.system + "\n\n" + instructions;
    }
    return p;
}

json::object build_messages_body(mode m, request const& req, std::string const& model,
                                 anthropic_prompt const& prompt, std::span<tool_spec const> tools,
                                 bool stream)
{
    if (tools.empty())
        throw error(errc::invalid_argument, "no response model");
    json::object body{{"model", model},
                      {"max_tokens", req.max_tokens.value_or(default_max_tokens)},
                      {"messages", prompt.messages}};
    if (!prompt.system.empty())
        body["system"] = prompt.system;
    if (m == mode::anthropic_tools) {
        auto const& t = tools.front();
        body["tools"] = json::array{json::object{
            {"name", t.name},
            {"description", t.description.empty() ? default_description(t.name) : t.description},
            {"input_schema", *t.parameters}}};
        body["tool_choice"] = json::object{{"type", "tool"}, {"name", t.name}};
    }
    if (req.temperature)
        body["temperature"] = *req.temperature;
    if (stream)
        body["stream"] = true;
    for (auto const& kv : req.extra_body)
        body[kv.key()] = kv.value();
    return body;
}

extraction extract_messages(mode m, json::value const& response)
{
    auto const* root = response.if_object();
    auto const* content = root ? root->if_contains("content") : nullptr;
    if (!content || !content->is_array())
        throw error(errc::protocol_error, "the response is not a Messages API message (no content)");
    extraction x;
    std::string stop = string_at(*root, "stop_reason");
    x.finish_reason = stop == "max_tokens" ? "length" : stop;
    std::string text;
    for (auto const& b : content->get_array()) {
        auto const* block = b.if_object();
        if (!block)
            continue;
        auto type = string_at(*block, "type");
        if (type == "tool_use" && m == mode::anthropic_tools) {
            answer a;
            a.name = string_at(*block, "name");
            a.id = string_at(*block, "id");
            auto const* input = block->if_contains("input");
            a.text = input ? json::serialize(*input) : "{}";
            x.answers.push_back(std::move(a));
        }
        else if (type == "text") {
            text += string_at(*block, "text");
        }
    }
    if (stop == "refusal")
        x.refusal = text.empty() ? std::string("the model declined") : text;
    if (m == mode::anthropic_tools) {
        if (x.answers.empty() && !x.refusal)
            x.problem = "The reply did not use the tool; call the tool with the JSON input.";
        return x;
    }
    std::string_view json_text = text;
    if (auto block = find_json_block(json_text))
        json_text = *block;
    if (text.empty() && !x.refusal)
        x.problem = "The reply has no text; answer with the JSON object.";
    x.answers.push_back({{}, {}, std::string(json_text)});
    return x;
}

usage messages_usage(json::value const& response)
{
    usage u;
    auto const* root = response.if_object();
    auto const* us = root ? root->if_contains("usage") : nullptr;
    if (!us || !us->is_object())
        return u;
    auto num = [&](std::string_view k) -> std::uint64_t {
        auto const* v = us->get_object().if_contains(k);
        return v && v->is_int64() && v->get_int64() > 0 ? static_cast<std::uint64_t>(v->get_int64())
                                                        : 0;
    };
    u.prompt_tokens = num("input_tokens");
    u.completion_tokens = num("output_tokens");
    u.cached_tokens = num("cache_read_input_tokens");
    u.total_tokens = u.prompt_tokens + u.completion_tokens;
    return u;
}

json::array anthropic_reask(mode m, json::value const& response, extraction const& got,
                            std::string const& errors)
{
    json::array out;
    json::value content = json::array{};
    if (auto const* root = response.if_object())
        if (auto const* c = root->if_contains("content"); c && c->is_array())
            content = *c;
    // An empty reply is not echoed: the API rejects a non-final message with empty content
    // (consecutive user turns are merged by the API, so the feedback alone is fine).
    if (!content.get_array().empty())
        out.push_back(json::object{{"role", "assistant"}, {"content", content}});
    std::string const feedback = tool_feedback(errors);
    if (m == mode::anthropic_tools && !got.answers.empty()) {
        json::array results;
        for (auto const& a : got.answers)
            results.push_back(json::object{{"type", "tool_result"},
                                           {"tool_use_id", a.id},
                                           {"content", feedback},
                                           {"is_error", true}});
        out.push_back(json::object{{"role", "user"}, {"content", std::move(results)}});
    }
    else if (m == mode::anthropic_tools) {
        out.push_back(json::object{{"role", "user"}, {"content", feedback}});
    }
    else {
        out.push_back(json::object{
            {"role", "user"},
            {"content", std::string(json_reask_prefix) + errors}});
    }
    return out;
}

}  // namespace instructor::detail

namespace instructor::detail {

chunk_delta parse_messages_event(std::string_view event, std::string_view data, bool& stopped)
{
    boost::system::error_code ec;
    auto v = json::parse(data, ec);
    if (ec || !v.is_object())
        throw error(errc::protocol_error, "a stream event is not a JSON object");
    auto const& o = v.get_object();
    std::string type = string_at(o, "type");
    if (type.empty())
        type = std::string(event);
    chunk_delta d;
    auto index_of = [&]() -> std::size_t {
        auto const* i = o.if_contains("index");
        return i && i->is_int64() && i->get_int64() >= 0 ? static_cast<std::size_t>(i->get_int64())
                                                          : 0;
    };
    if (type == "error") {
        auto const* e = o.if_contains("error");
        d.error = e && e->is_object() ? string_at(e->get_object(), "message") : "stream error";
        if (d.error->empty())
            d.error = "stream error";
    }
    else if (type == "message_start") {
        if (auto const* msg = o.if_contains("message")) {
            d.usage = messages_usage(*msg);
            // the output count comes, whole, with message_delta
            d.usage->completion_tokens = 0;
            d.usage->total_tokens = d.usage->prompt_tokens;
        }
    }
    else if (type == "content_block_start") {
        auto const* b = o.if_contains("content_block");
        if (b && b->is_object() && string_at(b->get_object(), "type") == "tool_use") {
            chunk_delta::call_piece p;
            p.index = index_of();
            p.id = string_at(b->get_object(), "id");
            p.name = string_at(b->get_object(), "name");
            d.calls.push_back(std::move(p));
        }
    }
    else if (type == "content_block_delta") {
        auto const* dl = o.if_contains("delta");
        if (dl && dl->is_object()) {
            auto const& delta = dl->get_object();
            auto dtype = string_at(delta, "type");
            if (dtype == "input_json_delta") {
                chunk_delta::call_piece p;
                p.index = index_of();
                p.arguments = string_at(delta, "partial_json");
                d.calls.push_back(std::move(p));
            }
            else if (dtype == "text_delta")
                d.content = string_at(delta, "text");
        }
    }
    else if (type == "message_delta") {
        if (auto const* dl = o.if_contains("delta"); dl && dl->is_object()) {
            auto stop = string_at(dl->get_object(), "stop_reason");
            if (!stop.empty())
                d.finish_reason = stop == "max_tokens" ? "length" : stop;
            if (stop == "refusal")
                d.refusal = "the model declined";
        }
        if (auto const* u = o.if_contains("usage"); u && u->is_object()) {
            usage out;
            auto const* n = u->get_object().if_contains("output_tokens");
            if (n && n->is_int64() && n->get_int64() > 0)
                out.completion_tokens = out.total_tokens = static_cast<std::uint64_t>(n->get_int64());
            d.usage = out;
        }
    }
    else if (type == "message_stop") {
        stopped = true;
    }
    return d;  // ping and unknown events change nothing
}

}  // namespace instructor::detail
