// The OpenAI Responses API: forced function tools or strict json_schema text, re-asks with
// function_call_output items, and the typed events of its streams.
#include "protocol/openai_responses/openai_responses.hpp"

#include "protocol/api_table.hpp"
#include "protocol/content_parts.hpp"
#include "protocol/json_access.hpp"
#include "protocol/json_in_text.hpp"
#include "protocol/json_writer.hpp"
#include "protocol/prompts.hpp"

#include <instructor/error.hpp>
#include "net/url.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <map>

namespace instructor::detail {

namespace json = boost::json;
using namespace json_access;

namespace {

constexpr std::string_view no_call_problem =
    "The reply did not call a function; call the function with the JSON arguments.";

json::object responses_media(part_place const& at)
{
    auto const& p = at.p;
    switch (p.kind) {
    case part_kind::image:
        return {{"type", "input_image"},
                {"image_url", p.url.empty() ? data_url(p) : p.url},
                {"detail", p.detail.empty() ? std::string("auto") : p.detail}};
    case part_kind::audio:
        at.refuse("takes no audio input: use the chat completions API (mode tools or json)");
    case part_kind::document: {
        json::object file{{"type", "input_file"}};
        if (!p.file_id.empty())
            file["file_id"] = p.file_id;
        else if (!p.url.empty())
            file["file_url"] = p.url;
        else {
            file["filename"] = p.filename;
            file["file_data"] = data_url(p);
        }
        return file;
    }
    case part_kind::text: break;
    }
    at.refuse("does not know this part");
}

constexpr part_rules responses_rules{"OpenAI Responses API", "input_text",
                                     "takes images and files only in user messages",
                                     responses_media};

/// The finish reason of a response's status, in the chat words the call core knows.
std::string finish_reason_of(json::object const& response)
{
    auto const status = string_at(response, "status");
    std::string reason;
    if (auto const* d = object_at(response, "incomplete_details"))
        reason = string_at(*d, "reason");
    return responses_finish_reason(status, reason);
}

std::string failure_message(json::object const& response)
{
    if (auto const* e = object_at(response, "error"))
        if (auto m = string_at(*e, "message"); !m.empty())
            return m;
    return "the response failed";
}

}  // namespace

std::string responses_finish_reason(std::string const& status, std::string const& reason)
{
    if (status != "incomplete")
        return status;
    if (reason == "max_output_tokens")
        return "length";
    return reason.empty() ? status : reason;  // "content_filter" keeps its name
}

answer responses_call(std::string name, std::string call_id, std::string arguments,
                      std::size_t index)
{
    answer a{std::move(name), std::move(call_id), std::move(arguments), {}};
    if (a.id.empty())
        a.id = "call_" + std::to_string(index);
    if (a.text.empty())
        a.text = "{}";
    return a;
}

extraction responses_extraction(mode m, std::string content, std::vector<answer> calls,
                                std::string finish_reason, std::string refusal)
{
    extraction x;
    x.finish_reason = std::move(finish_reason);
    if (!refusal.empty())
        x.refusal = std::move(refusal);
    x.content = std::move(content);
    if (is_tools_mode(m)) {
        x.answers = std::move(calls);
        if (x.answers.empty() && !x.refusal)
            x.problem = std::string(no_call_problem);
        return x;
    }
    set_text_answer(x, false, "The reply has no content; answer with the JSON object.");
    return x;
}

json::array responses_input(request const& req)
{
    json::array input;
    for (std::size_t i = 0; i < req.messages.size(); ++i) {
        auto const& msg = req.messages[i];
        if (msg.role == "tool") {
            input.push_back(json::object{{"type", "function_call_output"},
                                         {"call_id", msg.tool_call_id.value_or("")},
                                         {"output", msg.content}});
            continue;
        }
        input.push_back(
            json::object{{"role", msg.role}, {"content", content_of(msg, i, responses_rules)}});
    }
    return input;
}

json::object build_responses_body(mode m, request const& req, std::string const& model,
                                  json::array const& input, std::span<tool_spec const> tools,
                                  bool stream)
{
    (void)primary_tool(tools);
    if (!is_responses_mode(m))
        throw error(errc::invalid_argument,
                    "mode " + std::string(to_string(m)) + " is not a Responses API mode");
    tool_spec const& t = tools.front();
    json::object body{{"model", model}, {"input", input}};
    if (is_tools_mode(m)) {
        json::array offered;
        for (auto const& f : tools) {
            offered.push_back(json::object{
                {"type", "function"},
                {"name", f.name},
                {"description", f.description.empty() ? default_description(f.name) : f.description},
                {"parameters", *f.strict_parameters},
                {"strict", true}});
            if (m == mode::responses_tools)
                break;  // one forced function
        }
        body["tools"] = std::move(offered);
        if (m == mode::responses_tools) {
            body["tool_choice"] = json::object{{"type", "function"}, {"name", t.name}};
        }
        else {  // parallel: at least one call, as many as the text holds
            body["tool_choice"] = "required";
            body["parallel_tool_calls"] = true;
        }
    }
    else {  // responses_structured_outputs
        body["text"] = json::object{{"format", {{"type", "json_schema"},
                                                {"name", t.name},
                                                {"schema", *t.strict_parameters},
                                                {"strict", true}}}};
    }
    if (req.temperature)
        body["temperature"] = *req.temperature;
    if (req.max_tokens)
        body["max_output_tokens"] = *req.max_tokens;
    if (req.reasoning && !req.reasoning->effort.empty())
        body["reasoning"] = json::object{{"effort", req.reasoning->effort}, {"summary", "auto"}};
    if (stream)
        body["stream"] = true;
    for (auto const& kv : req.extra_body)
        body[kv.key()] = kv.value();  // last, so callers can override anything
    return body;
}

std::string write_responses_body(mode m, request const& req, std::string const& model,
                                 json::array const& input, std::span<tool_spec const> tools,
                                 bool stream)
{
    // What the writer does not know (an extra member may replace one in its place, a mode's
    // or a missing model's error): the tree's own serialization.
    if (!is_responses_mode(m) || !req.extra_body.empty() || tools.empty())
        return json::serialize(build_responses_body(m, req, model, input, tools, stream));
    tool_spec const& t = tools.front();
    json_writer w(1024);
    w.open().key("model").string(model).key("input").value(input);
    if (is_tools_mode(m)) {
        w.key("tools").open_array();
        for (auto const& f : tools) {
            write_name(w.open().key("type").string("function").key("name"), f);
            w.key("description");
            write_description(w, f);
            w.key("parameters").schema(*f.strict_parameters, f.strict_parameters_json);
            w.key("strict").boolean(true).close();
            if (m == mode::responses_tools)
                break;  // one forced function
        }
        w.close_array();
        if (m == mode::responses_tools)
            write_name(w.key("tool_choice").open().key("type").string("function").key("name"), t)
                .close();
        else
            w.key("tool_choice").string("required").key("parallel_tool_calls").boolean(true);
    }
    else {  // responses_structured_outputs
        w.key("text").open().key("format").open().key("type").string("json_schema");
        write_name(w.key("name"), t).key("schema").schema(*t.strict_parameters,
                                                          t.strict_parameters_json);
        w.key("strict").boolean(true).close().close();
    }
    if (req.temperature)
        w.key("temperature").number(*req.temperature);
    if (req.max_tokens)
        w.key("max_output_tokens").number(std::int64_t{*req.max_tokens});
    if (req.reasoning && !req.reasoning->effort.empty()) {
        w.key("reasoning").open().key("effort").string(req.reasoning->effort);
        w.key("summary").string("auto").close();
    }
    if (stream)
        w.key("stream").boolean(true);
    w.close();
    return w.take();
}

namespace {

/// The reasoning items of `output`: kept for a re-ask (the API wants them back before the
/// items that followed them), their summaries as the reasoning text.
void take_reasoning(json::array const& output, extraction& x)
{
    for (auto const& item : output) {
        auto const* o = item.if_object();
        if (!o || string_at(*o, "type") != "reasoning")
            continue;
        x.kept.push_back(*o);
        if (auto const* summary = array_at(*o, "summary"))
            for (auto const& s : *summary)
                if (auto const* so = s.if_object(); so && string_at(*so, "type") == "summary_text")
                    x.reasoning = x.reasoning.value_or("") + string_at(*so, "text");
    }
}

}  // namespace

extraction extract_responses(mode m, json::value const& response)
{
    auto const* root = response.if_object();
    auto const* output = root ? array_at(*root, "output") : nullptr;
    if (!output)
        throw error(errc::protocol_error, "the response is not a Responses API response (no output)");
    if (string_at(*root, "status") == "failed") {
        auto msg = failure_message(*root);
        error e(errc::server_error, "the response failed: " + msg);
        e.provider_message = msg;
        throw e;
    }
    std::string text, refusal;
    std::vector<answer> calls;
    for (auto const& item : *output) {
        auto const* o = item.if_object();
        if (!o)
            continue;
        auto const type = string_at(*o, "type");
        if (type == "function_call") {
            if (calls.size() == max_tool_calls)
                throw error(errc::protocol_error, "the reply has more function calls than the "
                                                  "limit of " + std::to_string(max_tool_calls));
            calls.push_back(responses_call(string_at(*o, "name"), string_at(*o, "call_id"),
                                           string_at(*o, "arguments"), calls.size()));
        }
        else if (type == "message") {
            if (auto const* parts = array_at(*o, "content"))
                for (auto const& p : *parts) {
                    auto const* po = p.if_object();
                    if (!po)
                        continue;
                    auto const ptype = string_at(*po, "type");
                    if (ptype == "output_text")
                        text += string_at(*po, "text");
                    else if (ptype == "refusal")
                        refusal += string_at(*po, "refusal");
                }
        }
    }
    auto x = responses_extraction(m, std::move(text), std::move(calls), finish_reason_of(*root),
                       std::move(refusal));
    take_reasoning(*output, x);
    return x;
}

usage responses_usage(json::value const& response)
{
    usage u;
    auto const* root = response.if_object();
    auto const* us = root ? object_at(*root, "usage") : nullptr;
    if (!us)
        return u;
    u.prompt_tokens = count_at(*us, "input_tokens");
    u.completion_tokens = count_at(*us, "output_tokens");
    u.total_tokens = count_at(*us, "total_tokens");
    if (u.total_tokens == 0)
        u.total_tokens = u.prompt_tokens + u.completion_tokens;
    if (auto const* d = object_at(*us, "input_tokens_details"))
        u.cached_tokens = count_at(*d, "cached_tokens");
    if (auto const* d = object_at(*us, "output_tokens_details"))
        u.reasoning_tokens = count_at(*d, "reasoning_tokens");
    return u;
}

bool is_responses_delta(std::string_view type) noexcept
{
    return type == "response.output_text.delta" || type == "response.refusal.delta" ||
           type == "response.function_call_arguments.delta";
}

responses_delta responses_delta_of(std::string_view type, json::object const& event)
{
    return {std::string(type), count_at(event, "output_index"), string_at(event, "delta")};
}

json::array responses_reask(mode m, extraction const& got, std::string const& errors,
                            std::string_view prefix)
{
    json::array out = got.kept;  // reasoning items first, as the model gave them
    if (!got.content.empty())
        out.push_back(json::object{{"role", "assistant"}, {"content", got.content}});
    if (is_tools_mode(m) && !got.answers.empty()) {
        for (auto const& a : got.answers)
            out.push_back(json::object{{"type", "function_call"},
                                       {"call_id", a.id},
                                       {"name", a.name},
                                       {"arguments", a.text}});
        for (std::size_t i = 0; i < got.answers.size(); ++i)
            out.push_back(json::object{{"type", "function_call_output"},
                                       {"call_id", got.answers[i].id},
                                       {"output", tool_feedback_for(i, errors)}});
        return out;
    }
    out.push_back(json::object{
        {"role", "user"},
        {"content", is_tools_mode(m) ? tool_feedback(errors)
                                               : std::string(prefix) + errors}});
    return out;
}

namespace {

/// A streamed response: typed events (`event:` and the data's own `type`), function calls
/// numbered by output index and renumbered in call order, the final response in
/// response.completed / response.incomplete.
class responses_reader final : public stream_reader {
public:
    explicit responses_reader(mode m) : m_(m) {}

    void on_event(net::sse_event const& ev, piece_sink const& sink) override
    {
        if (auto d = read_responses_delta(ev.event, ev.data))  // most of a stream: no tree
            return on_delta(*d, sink);
        boost::system::error_code ec;
        auto v = json::parse(ev.data, ec);
        if (ec || !v.is_object())
            throw error(errc::protocol_error, "a stream event is not a JSON object");
        auto const& o = v.get_object();
        std::string type = string_at(o, "type");
        if (type.empty())
            type = ev.event;
        if (is_responses_delta(type))
            return on_delta(responses_delta_of(type, o), sink);
        if (type == "error") {
            auto msg = string_at(o, "message");
            if (auto const* e = object_at(o, "error"); e && msg.empty())
                msg = string_at(*e, "message");
            throw stream_error(msg.empty() ? std::string("stream error") : msg);
        }
        if (type == "response.output_item.added") {
            auto const* item = object_at(o, "item");
            if (item && string_at(*item, "type") == "function_call") {
                auto const at = count_at(o, "output_index");
                if (!item_call_.contains(at)) {
                    if (item_call_.size() >= max_tool_calls)
                        throw error(errc::protocol_error,
                                    "the stream has more function calls than the limit");
                    item_call_.emplace(at, item_call_.size());
                }
                auto const index = item_call_.at(at);
                auto& c = calls_.add(index, string_at(*item, "call_id"), string_at(*item, "name"),
                                     string_at(*item, "arguments"));
                if (is_tools_mode(m_) && !c.text.empty())
                    sink(index, c.name, c.text);
            }
        }
        else if (type == "response.completed" || type == "response.incomplete" ||
                 type == "response.failed") {
            auto const* r = object_at(o, "response");
            if (!r)
                throw error(errc::protocol_error, "a " + type + " event without its response");
            if (type == "response.failed")
                throw stream_error(failure_message(*r));
            final_ = *r;
            ended_ = true;
        }
        // response.created, in_progress, *.done, content_part events: nothing new
    }
    /// A text, refusal or arguments delta, however it was read.
    void on_delta(responses_delta const& d, piece_sink const& sink)
    {
        if (d.type == "response.function_call_arguments.delta") {
            auto it = item_call_.find(d.output_index);
            if (it == item_call_.end())
                throw error(errc::protocol_error,
                            "a function call's arguments arrived before the call");
            auto& c = calls_.add(it->second, {}, {}, d.delta);
            if (is_tools_mode(m_) && !d.delta.empty())
                sink(it->second, c.name, d.delta);
        }
        else if (d.type == "response.output_text.delta") {
            text_.add(d.delta, !is_tools_mode(m_), sink);
        }
        else {  // response.refusal.delta
            refusal_ += d.delta;
        }
    }
    bool ended(net::event_source const&) const override { return ended_; }
    std::string missing_end() const override
    {
        return "the stream ended without response.completed";
    }
    instructor::usage usage() const override { return responses_usage(final_); }
    std::size_t held() const override
    {
        std::size_t n = text_.all.size() + refusal_.size();
        for (auto const& c : calls_.calls)
            n += c.text.size();
        return n;
    }

    extraction finish(piece_sink const& sink) override
    {
        calls_.finish(sink);
        auto const* r = final_.if_object();
        auto x = responses_extraction(m_, text_.all, calls_.calls, r ? finish_reason_of(*r) : std::string(),
                           refusal_);
        if (auto const* output = r ? array_at(*r, "output") : nullptr)
            take_reasoning(*output, x);
        return x;
    }
    json::value response() const override
    {
        if (!final_.is_null())
            return final_;
        // Cut before its end: what arrived, in the response's shape.
        json::array output;
        if (!text_.all.empty() || !refusal_.empty()) {
            json::array parts;
            if (!text_.all.empty())
                parts.push_back(json::object{{"type", "output_text"}, {"text", text_.all}});
            if (!refusal_.empty())
                parts.push_back(json::object{{"type", "refusal"}, {"refusal", refusal_}});
            output.push_back(json::object{
                {"type", "message"}, {"role", "assistant"}, {"content", std::move(parts)}});
        }
        for (auto const& c : calls_.calls)
            output.push_back(json::object{{"type", "function_call"},
                                          {"call_id", c.id},
                                          {"name", c.name},
                                          {"arguments", c.text}});
        return json::object{
            {"object", "response"}, {"status", "in_progress"}, {"output", std::move(output)}};
    }

private:
    mode m_;
    bool ended_ = false;
    streamed_text text_;
    std::string refusal_;
    streamed_calls calls_;
    std::map<std::uint64_t, std::size_t> item_call_;  // output index -> function call
    json::value final_;
};

class openai_responses final : public wire {
public:
    openai_responses(mode m, client_options const& o) : m_(m), extras_(request_extras::of(o)) {}

    net::http_request http_request(endpoint_config const& ep, std::string_view, bool,
                                   std::string body) const override
    {
        auto const& api = api_for(m_);
        return api_request(api, ep, api.path, {}, extras_, std::move(body));
    }
    conversation initial(request const& req, tool_spec const&) const override
    {
        return {{}, responses_input(req)};
    }
    json::object body(request const& req, std::string const& model, conversation const& conv,
                      std::span<tool_spec const> tools, bool stream) const override
    {
        return build_responses_body(m_, req, model, conv.messages, tools, stream);
    }
    std::string body_text(request const& req, std::string const& model, conversation const& conv,
                          std::span<tool_spec const> tools, bool stream) const override
    {
        return write_responses_body(m_, req, model, conv.messages, tools, stream);
    }
    extraction extract(json::value const& response) const override
    {
        return extract_responses(m_, response);
    }
    usage usage_of(json::value const& response) const override
    {
        return responses_usage(response);
    }
    std::optional<reply_reading> read_reply(std::string_view body) const override
    {
        return read_responses_reply(m_, body);
    }
    void reask(conversation& conv, extraction const& got, std::string const& errors) const override
    {
        for (auto& item : responses_reask(m_, got, errors))
            conv.messages.push_back(std::move(item));
    }
    // A text mode's turns: the cut answer, then the ask as it is.
    void continue_cut(conversation& conv, extraction const& got,
                      std::string const& ask) const override
    {
        for (auto& item : responses_reask(mode::json, got, ask, {}))
            conv.messages.push_back(std::move(item));
    }
    std::unique_ptr<stream_reader> reader() const override
    {
        return std::make_unique<responses_reader>(m_);
    }

private:
    mode m_;
    request_extras extras_;
};

}  // namespace

std::unique_ptr<wire> make_openai_responses(mode m, client_options const& o)
{
    return std::make_unique<openai_responses>(m, o);
}

}  // namespace instructor::detail
