// OpenAI chat completions in every mode, as Python Instructor sends and parses them.
#include "protocol/openai_chat/openai_chat.hpp"

#include "protocol/api_table.hpp"
#include "protocol/content_parts.hpp"
#include "protocol/json_access.hpp"
#include "protocol/json_in_text.hpp"
#include "protocol/json_writer.hpp"
#include "protocol/prompts.hpp"

#include <instructor/error.hpp>

#include <algorithm>
#include "net/url.hpp"

#include <boost/json/serialize.hpp>

namespace instructor::detail {

namespace json = boost::json;
using namespace json_access;

namespace {

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

constexpr std::string_view no_call_problem =
    "The reply did not call a function; call the function with the JSON arguments.";
constexpr std::string_view no_content_problem =
    "The reply has no content; answer with the JSON object.";

json::object chat_media(part_place const& at)
{
    auto const& p = at.p;
    switch (p.kind) {
    case part_kind::image: {
        json::object img{{"url", p.url.empty() ? data_url(p) : p.url}};
        if (!p.detail.empty())
            img["detail"] = p.detail;
        return {{"type", "image_url"}, {"image_url", std::move(img)}};
    }
    case part_kind::audio:
        if (p.data.empty())
            at.refuse("takes audio only as bytes");
        return {{"type", "input_audio"},
                {"input_audio",
                 {{"data", p.data}, {"format", p.media_type == "audio/wav" ? "wav" : "mp3"}}}};
    case part_kind::document: {
        json::object file;
        if (!p.file_id.empty())
            file["file_id"] = p.file_id;
        else if (!p.data.empty())
            file = {{"filename", p.filename}, {"file_data", data_url(p)}};
        else
            at.refuse("takes no document by URL: upload it (pdf_file_id) or send its bytes");
        return {{"type", "file"}, {"file", std::move(file)}};
    }
    case part_kind::text: break;
    }
    at.refuse("does not know this part");
}

constexpr part_rules chat_rules{"OpenAI chat completions API", "text",
                                "takes images, audio and files only in user messages",
                                chat_media};

}  // namespace

json::object chat_message(message const& msg, std::size_t index)
{
    json::object o{{"role", msg.role}, {"content", content_of(msg, index, chat_rules)}};
    if (msg.name)
        o["name"] = *msg.name;
    if (msg.tool_call_id)
        o["tool_call_id"] = *msg.tool_call_id;
    return o;
}

json::array initial_messages(mode m, request const& req, tool_spec const& primary)
{
    json::array out;
    for (std::size_t i = 0; i < req.messages.size(); ++i)
        out.push_back(chat_message(req.messages[i], i));
    if (m != mode::json && m != mode::json_schema && m != mode::md_json)
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
    (void)primary_tool(tools);
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
    default:
        throw error(errc::invalid_argument,
                    "mode " + std::string(to_string(m)) + " is not a chat completions mode");
    }
    if (req.temperature)
        body["temperature"] = *req.temperature;
    if (req.reasoning && !req.reasoning->effort.empty())
        body["reasoning_effort"] = req.reasoning->effort;
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

namespace {

/// function_of's object, written.
void write_function(json_writer& w, tool_spec const& t, bool strict)
{
    write_name(w.open().key("name"), t).key("description");
    write_description(w, t);
    w.key("parameters");
    if (strict)
        w.schema(*t.strict_parameters, t.strict_parameters_json);
    else
        w.schema(*t.parameters, t.parameters_json);
    if (strict)
        w.key("strict").boolean(true);
    w.close();
}

/// One message as chat_message builds it, its content plain text (`content`, then `more`
/// after a blank line when both are there: append_text's joining).
void write_plain_message(json_writer& w, message const& msg, std::string_view role,
                         std::string_view content, std::string_view more = {})
{
    w.open().key("role").string(role).key("content");
    if (more.empty())
        w.string(content);
    else if (content.empty())
        w.string(more);
    else
        w.string(std::string(content).append("\n\n").append(more));
    if (msg.name)
        w.key("name").string(*msg.name);
    if (msg.tool_call_id)
        w.key("tool_call_id").string(*msg.tool_call_id);
    w.close();
}

/// initial_messages(m, req, primary), written: the request's plain messages with what the
/// mode injects where initial_messages puts it.
void write_request_messages(json_writer& w, mode m, request const& req, tool_spec const& primary)
{
    auto const& msgs = req.messages;
    bool const injects = m == mode::json || m == mode::json_schema || m == mode::md_json;
    std::string const instructions = injects ? json_instructions(*primary.schema) : std::string();
    bool const into_first = injects && !msgs.empty() && msgs.front().role == "system";
    // md_json's instruction joins the last message when it is the user's (with none, the last
    // is the inserted system message)
    bool const md_into_last = m == mode::md_json && !msgs.empty() && msgs.back().role == "user";
    message const none;
    w.open_array();
    if (injects && !into_first)
        write_plain_message(w, none, "system", instructions);
    for (std::size_t i = 0; i < msgs.size(); ++i) {
        std::string_view more;
        if (i == 0 && into_first)
            more = instructions;
        else if (i + 1 == msgs.size() && md_into_last)
            more = md_json_instruction;
        write_plain_message(w, msgs[i], msgs[i].role, msgs[i].content, more);
    }
    if (m == mode::md_json && !md_into_last)
        write_plain_message(w, none, "user", md_json_instruction);
    w.close_array();
}

/// write_chat_body, its messages the tree `messages` or, when null, the request's written.
std::string write_body(mode m, request const& req, std::string const& model,
                       json::array const* messages, std::span<tool_spec const> tools,
                       bool legacy_json_schema, bool stream)
{
    // What the writer does not know (an extra member may replace one in its place, an unknown
    // mode's error): the tree's own serialization.
    bool const known = m == mode::tools || m == mode::tools_strict || m == mode::parallel_tools ||
                       m == mode::json || m == mode::json_schema || m == mode::md_json ||
                       m == mode::structured_outputs;
    if (!known || !req.extra_body.empty() || tools.empty()) {
        json::array built;
        if (!messages)
            messages = &(built = initial_messages(m, req, primary_tool(tools)));
        return json::serialize(
            build_chat_body(m, req, model, *messages, tools, legacy_json_schema, stream));
    }
    tool_spec const& t = tools.front();
    json_writer w(1024);
    w.open().key("model").string(model).key("messages");
    if (messages)
        w.value(*messages);
    else
        write_request_messages(w, m, req, t);
    switch (m) {
    case mode::tools:
    case mode::tools_strict:
        w.key("tools").open_array().open().key("type").string("function").key("function");
        write_function(w, t, m == mode::tools_strict);
        w.close().close_array();
        w.key("tool_choice").open().key("type").string("function").key("function").open();
        write_name(w.key("name"), t).close().close();
        break;
    case mode::parallel_tools:
        w.key("tools").open_array();
        for (auto const& each : tools) {
            w.open().key("type").string("function").key("function");
            write_function(w, each, false);
            w.close();
        }
        w.close_array().key("tool_choice").string("auto");
        break;
    case mode::json:
        w.key("response_format").open().key("type").string("json_object").close();
        break;
    case mode::json_schema:
        w.key("response_format").open();
        if (legacy_json_schema) {
            w.key("type").string("json_object").key("schema");
            w.schema(*t.parameters, t.parameters_json);
        }
        else {
            w.key("type").string("json_schema").key("json_schema").open();
            write_name(w.key("name"), t).key("schema");
            w.schema(*t.parameters, t.parameters_json);
            w.close();
        }
        w.close();
        break;
    case mode::structured_outputs:
        w.key("response_format").open().key("type").string("json_schema").key("json_schema");
        write_name(w.open().key("name"), t).key("schema");
        w.schema(*t.strict_parameters, t.strict_parameters_json);
        w.key("strict").boolean(true).close().close();
        break;
    default: break;  // md_json: the instructions are in the messages
    }
    if (req.temperature)
        w.key("temperature").number(*req.temperature);
    if (req.reasoning && !req.reasoning->effort.empty())
        w.key("reasoning_effort").string(req.reasoning->effort);
    if (req.max_tokens)
        w.key("max_tokens").number(std::int64_t{*req.max_tokens});
    if (stream) {
        w.key("stream").boolean(true);
        w.key("stream_options").open().key("include_usage").boolean(true).close();
    }
    w.close();
    return w.take();
}

}  // namespace

bool messages_writable(request const& req) noexcept
{
    return std::ranges::all_of(req.messages, [](message const& m) { return m.parts.empty(); });
}

std::string write_chat_body(mode m, request const& req, std::string const& model,
                            json::array const& messages, std::span<tool_spec const> tools,
                            bool legacy_json_schema, bool stream)
{
    return write_body(m, req, model, &messages, tools, legacy_json_schema, stream);
}

std::string write_first_chat_body(mode m, request const& req, std::string const& model,
                                  std::span<tool_spec const> tools, bool legacy_json_schema,
                                  bool stream)
{
    return write_body(m, req, model, nullptr, tools, legacy_json_schema, stream);
}

usage chat_usage(json::value const& response)
{
    usage u;
    auto const* root = response.if_object();
    // WorkflowAI puts the cost on the choice
    if (auto const* choices = root ? array_at(*root, "choices") : nullptr)
        for (auto const& c : *choices)
            if (auto const* co = c.if_object())
                if (auto cost = amount_at(*co, "cost_usd"))
                    u.cost_usd = u.cost_usd.value_or(0) + *cost;
    auto const* us = root ? object_at(*root, "usage") : nullptr;
    if (!us)
        return u;
    if (auto cost = amount_at(*us, "cost"))  // OpenRouter
        u.cost_usd = u.cost_usd.value_or(0) + *cost;
    u.prompt_tokens = count_at(*us, "prompt_tokens");
    u.completion_tokens = count_at(*us, "completion_tokens");
    u.total_tokens = count_at(*us, "total_tokens");
    if (u.total_tokens == 0)
        u.total_tokens = u.prompt_tokens + u.completion_tokens;
    if (auto const* d = object_at(*us, "prompt_tokens_details"))
        u.cached_tokens = count_at(*d, "cached_tokens");
    if (auto const* d = object_at(*us, "completion_tokens_details"))
        u.reasoning_tokens = count_at(*d, "reasoning_tokens");
    return u;
}

extraction chat_extraction(mode m, chat_choice c)
{
    extraction x;
    x.finish_reason = std::move(c.finish_reason);
    if (!c.refusal.empty())
        x.refusal = std::move(c.refusal);
    x.content = std::move(c.content);
    // DeepSeek, vLLM and others: reasoning_content; OpenRouter: reasoning.
    if (!c.reasoning_content.empty())
        x.reasoning = std::move(c.reasoning_content);
    else if (!c.reasoning.empty())
        x.reasoning = std::move(c.reasoning);
    if (!c.url.empty())
        x.run_url = std::move(c.url);  // WorkflowAI's page for the run

    if (is_tools_mode(m)) {
        for (auto& a : c.calls) {
            if (a.id.empty())  // Gemini's OpenAI endpoint omits ids
                a.id = "call_" + std::to_string(x.answers.size());
            if (a.text.empty())
                a.text = "{}";  // a tool without parameters
            x.answers.push_back(std::move(a));
        }
        if (x.answers.empty() && !x.refusal)
            x.problem = std::string(no_call_problem);
        return x;
    }

    set_text_answer(x, m == mode::md_json, no_content_problem);
    return x;
}

extraction extract_chat(mode m, json::value const& response)
{
    auto const* root = response.if_object();
    auto const* choices = root ? array_at(*root, "choices") : nullptr;
    if (!choices || choices->empty() || !(*choices)[0].is_object())
        throw error(errc::protocol_error, "the response is not a chat completion (no choices)");
    auto const& choice = (*choices)[0].get_object();
    auto const* msg = object_at(choice, "message");
    if (!msg)
        throw error(errc::protocol_error, "the response's first choice has no message");

    chat_choice c;
    c.finish_reason = string_at(choice, "finish_reason");
    c.refusal = string_at(*msg, "refusal");
    c.content = string_at(*msg, "content");
    c.reasoning_content = string_at(*msg, "reasoning_content");
    c.reasoning = string_at(*msg, "reasoning");
    c.url = string_at(choice, "url");
    if (is_tools_mode(m)) {
        if (auto const* calls = array_at(*msg, "tool_calls")) {
            if (calls->size() > max_tool_calls)
                throw error(errc::protocol_error,
                            "the reply has " + std::to_string(calls->size()) +
                                " tool calls, more than the limit of " +
                                std::to_string(max_tool_calls));
            for (auto const& call : *calls) {
                auto const* co = call.if_object();
                auto const* fn = co ? object_at(*co, "function") : nullptr;
                if (!fn)
                    continue;
                answer a;
                a.name = string_at(*fn, "name");
                a.id = string_at(*co, "id");
                auto const* args = fn->if_contains("arguments");
                if (args && args->is_string())
                    a.text = std::string(args->get_string());
                else if (args && args->is_object())
                    a.text = json::serialize(*args);  // some servers send an object
                c.calls.push_back(std::move(a));
            }
        }
    }
    return chat_extraction(m, std::move(c));
}

json::array reask_messages(mode m, extraction const& got, std::string const& errors,
                           std::string_view prefix)
{
    json::array out;
    if (is_tools_mode(m) && !got.answers.empty()) {
        json::array calls;
        for (auto const& a : got.answers)
            calls.push_back(json::object{{"id", a.id},
                                         {"type", "function"},
                                         {"function", {{"name", a.name}, {"arguments", a.text}}}});
        out.push_back(json::object{
            {"role", "assistant"}, {"content", got.content}, {"tool_calls", std::move(calls)}});
        for (std::size_t i = 0; i < got.answers.size(); ++i)
            out.push_back(json::object{
                {"role", "tool"},
                {"tool_call_id", got.answers[i].id},
                {"name", got.answers[i].name},
                {"content", tool_feedback_for(i, errors)}});
        return out;
    }
    out.push_back(json::object{{"role", "assistant"}, {"content", got.content}});
    if (is_tools_mode(m))
        out.push_back(json::object{{"role", "user"}, {"content", tool_feedback(errors)}});
    else
        out.push_back(json::object{
            {"role", "user"},
            {"content", std::string(prefix) + errors}});
    return out;
}

namespace {

/// A streamed chat completion: content and tool-call deltas, [DONE] at the end.
class chat_reader final : public delta_reader {
public:
    explicit chat_reader(mode m)
        : delta_reader(is_tools_mode(m), m == mode::md_json, no_call_problem, no_content_problem)
    {}

    void on_event(net::sse_event const& ev, piece_sink const& sink) override
    {
        apply(chunks_.read(ev.data), sink);
    }
    bool ended(net::event_source const& events) const override { return events.done(); }
    std::string missing_end() const override
    {
        return "the stream ended without its [DONE] marker";
    }

    boost::json::value response() const override
    {
        json::object message{{"role", "assistant"},
                             {"content", text_.all.empty() ? json::value() : json::value(text_.all)}};
        auto const& calls = calls_.calls;
        if (!calls.empty()) {
            json::array tc;
            for (std::size_t i = 0; i < calls.size(); ++i)
                tc.push_back(json::object{
                    {"id", calls[i].id.empty() ? "call_" + std::to_string(i) : calls[i].id},
                    {"type", "function"},
                    {"function", {{"name", calls[i].name}, {"arguments", calls[i].text}}}});
            message["tool_calls"] = std::move(tc);
        }
        if (!refusal_.empty())
            message["refusal"] = refusal_;
        if (!reasoning_.empty())
            message["reasoning_content"] = reasoning_;
        json::object choice{
            {"index", 0}, {"message", std::move(message)}, {"finish_reason", finish_reason_}};
        if (run_url_)
            choice["url"] = *run_url_;
        return json::object{
            {"object", "chat.completion"},
            {"choices", json::array{std::move(choice)}},
            {"usage", {{"prompt_tokens", usage_.prompt_tokens},
                       {"completion_tokens", usage_.completion_tokens},
                       {"total_tokens", usage_.total_tokens}}}};
    }

private:
    chat_chunks chunks_;  // every event read into one delta (its room kept)
};

class openai_chat final : public wire {
public:
    openai_chat(mode m, client_options const& o)
        : m_(m), legacy_(o.legacy_json_schema_format), extras_(request_extras::of(o))
    {}

    net::http_request http_request(endpoint_config const& ep, std::string_view, bool,
                                   std::string body) const override
    {
        auto const& api = api_for(m_);
        return api_request(api, ep, api.path, {}, extras_, std::move(body));
    }
    conversation initial(request const& req, tool_spec const& primary) const override
    {
        return {{}, initial_messages(m_, req, primary)};
    }
    conversation first(request const& req, tool_spec const& primary) const override
    {
        if (!messages_writable(req))
            return initial(req, primary);
        conversation c;
        c.from_request = true;
        return c;
    }
    json::object body(request const& req, std::string const& model, conversation const& conv,
                      std::span<tool_spec const> tools, bool stream) const override
    {
        if (conv.from_request)
            return build_chat_body(m_, req, model, initial_messages(m_, req, primary_tool(tools)),
                                   tools, legacy_, stream);
        return build_chat_body(m_, req, model, conv.messages, tools, legacy_, stream);
    }
    std::string body_text(request const& req, std::string const& model, conversation const& conv,
                          std::span<tool_spec const> tools, bool stream) const override
    {
        if (conv.from_request)
            return write_first_chat_body(m_, req, model, tools, legacy_, stream);
        return write_chat_body(m_, req, model, conv.messages, tools, legacy_, stream);
    }
    extraction extract(json::value const& response) const override
    {
        return extract_chat(m_, response);
    }
    usage usage_of(json::value const& response) const override { return chat_usage(response); }
    std::optional<reply_reading> read_reply(std::string_view body) const override
    {
        return read_chat_reply(m_, body);
    }
    // The caller built the conversation first (reask_in, continue_in): turns appended to one
    // left as the request's would be dropped, so that is refused.
    void reask(conversation& conv, extraction const& got, std::string const& errors) const override
    {
        require_built(conv);
        for (auto& msg : reask_messages(m_, got, errors))
            conv.messages.push_back(std::move(msg));
    }
    // A text mode's turns: the cut answer, then the ask as it is.
    void continue_cut(conversation& conv, extraction const& got,
                      std::string const& ask) const override
    {
        require_built(conv);
        for (auto& msg : reask_messages(mode::json, got, ask, {}))
            conv.messages.push_back(std::move(msg));
    }
    std::unique_ptr<stream_reader> reader() const override
    {
        return std::make_unique<chat_reader>(m_);
    }

private:
    static void require_built(conversation const& conv)
    {
        if (conv.from_request)
            throw error(errc::invalid_argument,
                        "a conversation left as the request's was changed before it was built");
    }

    mode m_;
    bool legacy_;
    request_extras extras_;
};

}  // namespace

std::unique_ptr<wire> make_openai_chat(mode m, client_options const& o)
{
    return std::make_unique<openai_chat>(m, o);
}

}  // namespace instructor::detail
