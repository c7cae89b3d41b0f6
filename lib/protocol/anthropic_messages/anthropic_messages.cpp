// The Anthropic Messages API in anthropic_tools and anthropic_json modes.
#include "protocol/anthropic_messages/anthropic_messages.hpp"

#include "protocol/api_table.hpp"
#include "protocol/content_parts.hpp"
#include "protocol/json_access.hpp"
#include "protocol/json_in_text.hpp"
#include "protocol/json_writer.hpp"
#include "protocol/prompts.hpp"

#include <instructor/error.hpp>
#include "net/url.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <map>

namespace instructor::detail {

namespace json = boost::json;
using namespace json_access;

namespace {

constexpr int default_max_tokens = 4096;

constexpr std::string_view anthropic_api = "Anthropic Messages API";
constexpr std::string_view no_text_problem = "The reply has no text; answer with the JSON object.";

/// A base64 source, or a URL source for an https: URL.
json::object source_of(content_part const& p)
{
    std::string media_type, data;
    if (!p.data.empty())
        return {{"type", "base64"}, {"media_type", p.media_type}, {"data", p.data}};
    if (split_data_url(p.url, media_type, data))
        return {{"type", "base64"}, {"media_type", media_type}, {"data", data}};
    return {{"type", "url"}, {"url", p.url}};
}

json::object anthropic_media(part_place const& at)
{
    auto const& p = at.p;
    switch (p.kind) {
    case part_kind::image:
        return {{"type", "image"}, {"source", source_of(p)}};
    case part_kind::audio:
        at.refuse("takes no audio");
    case part_kind::document:
        if (!p.file_id.empty())
            at.refuse("cannot read an OpenAI file id: send the PDF's bytes or URL");
        return {{"type", "document"}, {"source", source_of(p)}};
    case part_kind::text: break;
    }
    at.refuse("does not know this part");
}

/// Extended thinking asked for: the API then refuses a forced tool choice.
bool thinking(request const& req) noexcept { return req.reasoning && req.reasoning->budget_tokens; }

constexpr part_rules anthropic_rules{anthropic_api, "text",
                                     "takes images and documents only in user messages",
                                     anthropic_media};

}  // namespace

conversation anthropic_initial(mode m, request const& req, tool_spec const& primary)
{
    conversation p;
    auto add_system = [&](std::string const& text) { append_paragraph(p.system, text); };
    for (std::size_t i = 0; i < req.messages.size(); ++i) {
        auto const& msg = req.messages[i];
        if (msg.role == "system") {
            add_system(system_text_of(msg, i, anthropic_api));
            continue;
        }
        p.messages.push_back(
            json::object{{"role", msg.role}, {"content", content_of(msg, i, anthropic_rules)}});
    }
    if (m == mode::anthropic_json) {
        std::string const instructions = json_instructions(*primary.schema);
        p.system = p.system.empty() ? instructions : p.system + "\n\n" + instructions;
    }
    if (is_tools_mode(m) && thinking(req))  // the tool is offered, not forced: ask for it
        add_system(m == mode::anthropic_tools
                       ? "Answer by calling the " + primary.name + " tool with the JSON input."
                       : std::string("Answer by calling the tools with the JSON input."));
    return p;
}

namespace {

std::int64_t max_tokens_of(request const& req)
{
    auto max_tokens = static_cast<std::int64_t>(req.max_tokens.value_or(default_max_tokens));
    if (thinking(req)) {
        auto const budget = static_cast<std::int64_t>(*req.reasoning->budget_tokens);
        if (max_tokens <= budget)  // the API wants room for the answer past the thinking
            max_tokens = budget + default_max_tokens;
    }
    return max_tokens;
}

}  // namespace

json::object build_messages_body(mode m, request const& req, std::string const& model,
                                 conversation const& prompt, std::span<tool_spec const> tools,
                                 bool stream)
{
    (void)primary_tool(tools);
    if (!is_anthropic_mode(m))
        throw error(errc::invalid_argument,
                    "mode " + std::string(to_string(m)) + " is not a Messages API mode");
    auto const max_tokens = max_tokens_of(req);
    json::object body{{"model", model}, {"max_tokens", max_tokens}, {"messages", prompt.messages}};
    if (thinking(req))
        body["thinking"] =
            json::object{{"type", "enabled"}, {"budget_tokens", *req.reasoning->budget_tokens}};
    if (!prompt.system.empty())
        body["system"] = prompt.system;
    if (is_tools_mode(m)) {
        json::array offered;
        for (auto const& t : tools) {
            offered.push_back(json::object{
                {"name", t.name},
                {"description", t.description.empty() ? default_description(t.name) : t.description},
                {"input_schema", *t.parameters}});
            if (m == mode::anthropic_tools)
                break;  // one forced tool
        }
        body["tools"] = std::move(offered);
        // parallel: any tool, as many calls as the text holds; with thinking, the model's choice
        // (the API refuses a forced one), and a reply without the tool is re-asked
        body["tool_choice"] = thinking(req)               ? json::object{{"type", "auto"}}
                              : m == mode::anthropic_tools ? json::object{{"type", "tool"},
                                                                          {"name", tools.front().name}}
                                                           : json::object{{"type", "any"}};
    }
    if (m == mode::anthropic_structured_outputs)  // the API holds the answer to the schema
        body["output_config"] = json::object{
            {"format", {{"type", "json_schema"}, {"schema", *tools.front().strict_parameters}}}};
    if (req.temperature)
        body["temperature"] = *req.temperature;
    if (stream)
        body["stream"] = true;
    for (auto const& kv : req.extra_body)
        body[kv.key()] = kv.value();
    return body;
}

std::string write_messages_body(mode m, request const& req, std::string const& model,
                                conversation const& prompt, std::span<tool_spec const> tools,
                                bool stream)
{
    // What the writer does not know (an extra member may replace one in its place, a mode's
    // or a missing model's error): the tree's own serialization.
    if (!is_anthropic_mode(m) || !req.extra_body.empty() || tools.empty())
        return json::serialize(build_messages_body(m, req, model, prompt, tools, stream));
    json_writer w(1024);
    w.open().key("model").string(model).key("max_tokens").number(max_tokens_of(req));
    w.key("messages").value(prompt.messages);
    if (thinking(req)) {
        w.key("thinking").open().key("type").string("enabled").key("budget_tokens");
        w.number(std::int64_t{*req.reasoning->budget_tokens}).close();
    }
    if (!prompt.system.empty())
        w.key("system").string(prompt.system);
    if (is_tools_mode(m)) {
        w.key("tools").open_array();
        for (auto const& t : tools) {
            write_name(w.open().key("name"), t).key("description");
            write_description(w, t);
            w.key("input_schema").schema(*t.parameters, t.parameters_json).close();
            if (m == mode::anthropic_tools)
                break;  // one forced tool
        }
        w.close_array().key("tool_choice").open().key("type");
        if (thinking(req))
            w.string("auto");
        else if (m == mode::anthropic_tools)
            write_name(w.string("tool").key("name"), tools.front());
        else
            w.string("any");
        w.close();
    }
    if (m == mode::anthropic_structured_outputs) {
        w.key("output_config").open().key("format").open().key("type").string("json_schema");
        w.key("schema").schema(*tools.front().strict_parameters,
                               tools.front().strict_parameters_json);
        w.close().close();
    }
    if (req.temperature)
        w.key("temperature").number(*req.temperature);
    if (stream)
        w.key("stream").boolean(true);
    w.close();
    return w.take();
}

extraction extract_messages(mode m, json::value const& response)
{
    auto const* root = response.if_object();
    auto const* content = root ? root->if_contains("content") : nullptr;
    if (!content || !content->is_array())
        throw error(errc::protocol_error, "the response is not a Messages API message (no content)");
    extraction x;
    std::string stop = string_at(*root, "stop_reason");
    std::string text;
    for (auto const& b : content->get_array()) {
        auto const* block = b.if_object();
        if (!block)
            continue;
        auto type = string_at(*block, "type");
        if (type == "tool_use" && is_tools_mode(m)) {
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
        else if (type == "thinking" || type == "redacted_thinking") {
            x.kept.push_back(*block);  // sent back unchanged on a re-ask
            if (auto t = string_at(*block, "thinking"); !t.empty())
                x.reasoning = x.reasoning.value_or("") + t;
        }
    }
    return messages_extraction(m, std::move(x), stop, std::move(text));
}

extraction messages_extraction(mode m, extraction x, std::string_view stop, std::string text)
{
    if (x.answers.size() > max_tool_calls)
        throw error(errc::protocol_error, "the reply has more tool_use blocks than the limit of " +
                                              std::to_string(max_tool_calls));
    x.finish_reason = stop == "max_tokens" ? "length" : std::string(stop);
    x.content = std::move(text);
    if (stop == "refusal")
        x.refusal = x.content.empty() ? std::string("the model declined") : x.content;
    if (is_tools_mode(m)) {
        if (x.answers.empty() && !x.refusal)
            x.problem = "The reply did not use the tool; call the tool with the JSON input.";
        return x;
    }
    set_text_answer(x, false, no_text_problem);
    return x;
}

usage messages_usage(json::value const& response)
{
    usage u;
    auto const* root = response.if_object();
    auto const* us = root ? root->if_contains("usage") : nullptr;
    if (!us || !us->is_object())
        return u;
    auto num = [&](std::string_view k) { return count_at(us->get_object(), k); };
    u.prompt_tokens = num("input_tokens");
    u.completion_tokens = num("output_tokens");
    u.cached_tokens = num("cache_read_input_tokens");
    u.total_tokens = u.prompt_tokens + u.completion_tokens;
    return u;
}

json::array anthropic_reask(mode m, extraction const& got, std::string const& errors,
                            std::string_view prefix)
{
    json::array out;
    json::array content = got.kept;  // the thinking first, unchanged, as the API requires
    if (!got.content.empty())
        content.push_back(json::object{{"type", "text"}, {"text", got.content}});
    if (is_tools_mode(m))
        for (auto const& a : got.answers) {
            boost::system::error_code ec;
            auto input = json::parse(a.text, ec);
            content.push_back(json::object{
                {"type", "tool_use"},
                {"id", a.id},
                {"name", a.name},
                {"input", !ec && input.is_object() ? input : json::object{}}});
        }
    // An empty reply is not echoed: the API rejects a non-final message with empty content
    // (consecutive user turns are merged by the API, so the feedback alone is fine).
    if (!content.empty())
        out.push_back(json::object{{"role", "assistant"}, {"content", std::move(content)}});
    std::string const feedback = tool_feedback(errors);
    if (is_tools_mode(m) && !got.answers.empty()) {
        json::array results;
        for (std::size_t i = 0; i < got.answers.size(); ++i)
            results.push_back(json::object{{"type", "tool_result"},
                                           {"tool_use_id", got.answers[i].id},
                                           {"content", tool_feedback_for(i, errors)},
                                           {"is_error", true}});
        out.push_back(json::object{{"role", "user"}, {"content", std::move(results)}});
    }
    else if (is_tools_mode(m)) {
        out.push_back(json::object{{"role", "user"}, {"content", feedback}});
    }
    else {
        out.push_back(json::object{
            {"role", "user"},
            {"content", std::string(prefix) + errors}});
    }
    return out;
}

}  // namespace instructor::detail

namespace instructor::detail {

chunk_delta parse_messages_event(std::string_view event, std::string_view data, bool& stopped)
{
    if (auto d = read_messages_delta(event, data))  // most of a stream: no tree
        return std::move(*d);
    return parse_messages_event_tree(event, data, stopped);
}

chunk_delta parse_messages_event_tree(std::string_view event, std::string_view data,
                                      bool& stopped)
{
    // Parsed once and dropped: the tree on the stack (see parse_chat_chunk).
    unsigned char arena[4096];
    json::monotonic_resource mr(arena, sizeof arena);
    boost::system::error_code ec;
    auto v = json::parse(data, ec, &mr);
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
        auto const btype = b && b->is_object() ? string_at(b->get_object(), "type") : "";
        if (btype == "thinking" || btype == "redacted_thinking") {
            chunk_delta::kept_piece k;
            k.index = index_of();
            k.type = btype;
            k.thinking = string_at(b->get_object(), "thinking");
            k.signature = string_at(b->get_object(), "signature");
            k.data = string_at(b->get_object(), "data");
            d.reasoning = k.thinking;
            d.kept.push_back(std::move(k));
        }
        else if (btype == "tool_use") {
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
            else if (dtype == "thinking_delta" || dtype == "signature_delta") {
                chunk_delta::kept_piece k;
                k.index = index_of();
                k.thinking = string_at(delta, "thinking");
                k.signature = string_at(delta, "signature");
                d.reasoning = k.thinking;
                d.kept.push_back(std::move(k));
            }
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

namespace instructor::detail {

namespace {

/// A streamed Messages API reply: tool calls are numbered by content block (a text block may
/// come first), renumbered here in call order; message_stop ends it.
class messages_reader final : public delta_reader {
public:
    explicit messages_reader(mode m)
        : delta_reader(is_tools_mode(m), false,
                       "The reply did not use the tool; call the tool with the JSON input.",
                       no_text_problem)
    {}

    void on_event(net::sse_event const& ev, piece_sink const& sink) override
    {
        chunk_delta d = parse_messages_event(ev.event, ev.data, stopped_);
        std::vector<chunk_delta::call_piece> pieces;
        for (auto& p : d.calls) {
            if (!p.name.empty() && !block_call_.contains(p.index)) {
                if (block_call_.size() >= max_tool_calls)
                    throw error(errc::protocol_error, "the stream has more tool_use blocks than "
                                                      "the limit");
                block_call_.emplace(p.index, block_call_.size());
            }
            auto it = block_call_.find(p.index);
            if (it == block_call_.end())
                continue;  // a delta of a block that is not a tool call
            p.index = it->second;
            pieces.push_back(std::move(p));
        }
        d.calls = std::move(pieces);
        apply(d, sink);
    }
    bool ended(net::event_source const&) const override { return stopped_; }
    std::string missing_end() const override { return "the stream ended without message_stop"; }

    json::value response() const override
    {
        json::array content;
        for (auto const& [index, block] : kept_)
            content.push_back(block);
        if (!text_.all.empty())
            content.push_back(json::object{{"type", "text"}, {"text", text_.all}});
        for (auto const& c : calls_.calls) {
            boost::system::error_code ec;
            auto input = json::parse(c.text, ec);
            content.push_back(json::object{{"type", "tool_use"},
                                           {"id", c.id},
                                           {"name", c.name},
                                           {"input", !ec && input.is_object() ? input : json::object{}}});
        }
        return json::object{
            {"type", "message"},
            {"role", "assistant"},
            {"content", std::move(content)},
            {"stop_reason", finish_reason_ == "length" ? "max_tokens" : finish_reason_},
            {"usage", {{"input_tokens", usage_.prompt_tokens}, {"output_tokens", usage_.completion_tokens}}}};
    }

private:
    bool stopped_ = false;
    std::map<std::size_t, std::size_t> block_call_;  // content block -> tool call
};

class anthropic_messages final : public wire {
public:
    anthropic_messages(mode m, client_options const& o)
        : m_(m), version_(o.anthropic_version), extras_(request_extras::of(o))
    {}

    net::http_request http_request(endpoint_config const& ep, std::string_view, bool,
                                   std::string body) const override
    {
        auto const& api = api_for(m_);
        return api_request(api, ep, api.path, {{"anthropic-version", version_}}, extras_,
                           std::move(body));
    }
    conversation initial(request const& req, tool_spec const& primary) const override
    {
        return anthropic_initial(m_, req, primary);
    }
    json::object body(request const& req, std::string const& model, conversation const& conv,
                      std::span<tool_spec const> tools, bool stream) const override
    {
        return build_messages_body(m_, req, model, conv, tools, stream);
    }
    std::string body_text(request const& req, std::string const& model, conversation const& conv,
                          std::span<tool_spec const> tools, bool stream) const override
    {
        return write_messages_body(m_, req, model, conv, tools, stream);
    }
    extraction extract(json::value const& response) const override
    {
        return extract_messages(m_, response);
    }
    usage usage_of(json::value const& response) const override { return messages_usage(response); }
    std::optional<reply_reading> read_reply(std::string_view body) const override
    {
        return read_messages_reply(m_, body);
    }
    void reask(conversation& conv, extraction const& got, std::string const& errors) const override
    {
        for (auto& msg : anthropic_reask(m_, got, errors))
            conv.messages.push_back(std::move(msg));
    }
    // A text mode's turns: the cut answer, then the ask as it is.
    void continue_cut(conversation& conv, extraction const& got,
                      std::string const& ask) const override
    {
        for (auto& msg : anthropic_reask(mode::json, got, ask, {}))
            conv.messages.push_back(std::move(msg));
    }
    std::unique_ptr<stream_reader> reader() const override
    {
        return std::make_unique<messages_reader>(m_);
    }

private:
    mode m_;
    std::string version_;
    request_extras extras_;
};

}  // namespace

std::unique_ptr<wire> make_anthropic_messages(mode m, client_options const& o)
{
    return std::make_unique<anthropic_messages>(m, o);
}

}  // namespace instructor::detail
