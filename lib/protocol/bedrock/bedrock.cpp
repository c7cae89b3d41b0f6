// Amazon Bedrock's Converse API: converse and converse-stream in bedrock_tools,
// bedrock_parallel_tools and bedrock_json.
#include "protocol/bedrock/bedrock.hpp"

#include "net/base64.hpp"
#include "protocol/api_table.hpp"
#include "protocol/bedrock/event_stream.hpp"
#include "protocol/bedrock/sigv4.hpp"
#include "protocol/content_parts.hpp"
#include "protocol/json_access.hpp"
#include "protocol/json_in_text.hpp"
#include "protocol/json_writer.hpp"
#include "protocol/prompts.hpp"

#include <instructor/error.hpp>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <map>

namespace instructor::detail {

namespace json = boost::json;
using namespace json_access;

namespace {

constexpr std::string_view bedrock_api = "Bedrock Converse API";
constexpr std::string_view no_call_problem =
    "The reply did not use the tool; call the tool with the JSON input.";
constexpr std::string_view no_text_problem = "The reply has no text; answer with the JSON object.";

/// The Converse format of a media type ("image/png" -> "png"), empty when it takes none.
std::string format_of(part_kind kind, std::string_view media_type)
{
    auto const slash = media_type.find('/');
    auto const sub = slash == std::string_view::npos ? media_type : media_type.substr(slash + 1);
    if (kind == part_kind::image && (sub == "png" || sub == "jpeg" || sub == "gif" || sub == "webp"))
        return std::string(sub);
    if (kind == part_kind::image && sub == "jpg")
        return "jpeg";
    if (kind == part_kind::document) {
        if (sub.empty())  // a document given by URL alone: the library's documents are PDFs
            return "pdf";
        if (sub == "pdf" || sub == "csv" || sub == "html")
            return std::string(sub);
        if (sub == "plain")
            return "txt";
        if (sub == "markdown")
            return "md";
    }
    return {};
}

/// Bytes (or a data: URL) as a bytes source, an s3:// URI as an s3Location: what Converse reads.
json::object bedrock_media(part_place const& at)
{
    auto const& p = at.p;
    if (p.kind == part_kind::audio)
        at.refuse("takes no audio");
    if (!p.file_id.empty())
        at.refuse("cannot read an OpenAI file id: send the bytes or an s3:// URI");
    std::string media_type = p.media_type, data = p.data;
    json::object source;
    if (!data.empty() || split_data_url(p.url, media_type, data))
        source["bytes"] = data;
    else if (p.url.starts_with("s3://"))
        source["s3Location"] = json::object{{"uri", p.url}};
    else
        at.refuse("takes media as bytes or s3:// URIs, not web URLs");
    auto const format = format_of(p.kind, media_type);
    if (format.empty())
        at.refuse("cannot tell the format of media type \"" + media_type + "\"");
    if (p.kind == part_kind::image)
        return {{"image", {{"format", format}, {"source", std::move(source)}}}};
    // A document needs a name: letters, digits, spaces, hyphens, brackets.
    return {{"document", {{"format", format}, {"name", "document " + std::to_string(at.part + 1)},
                          {"source", std::move(source)}}}};
}

constexpr part_rules bedrock_rules{bedrock_api, "text",
                                   "takes images and documents only in user messages",
                                   bedrock_media};


/// Appends a turn, merged into the last one when it has the same role (Converse wants turns
/// to alternate).
void add_turn(json::array& messages, std::string_view role, json::array blocks)
{
    if (blocks.empty())
        return;
    if (!messages.empty()) {
        auto& last = messages.back().get_object();
        if (last.at("role").as_string() == role) {
            auto& content = last.at("content").get_array();
            for (auto& b : blocks)
                content.push_back(std::move(b));
            return;
        }
    }
    messages.push_back(json::object{{"role", role}, {"content", std::move(blocks)}});
}

/// Extended thinking asked for (Claude on Bedrock): the model then refuses a forced tool.
bool thinking(request const& req) noexcept { return req.reasoning && req.reasoning->budget_tokens; }

std::string finish_reason_of(std::string_view r)
{
    if (r == "max_tokens")
        return "length";
    if (r == "guardrail_intervened" || r == "content_filtered")
        return "content_filter";
    return std::string(r);
}

/// A tool call as the toolUse block a reply holds (arguments that are not an object as `{}`).
json::object tool_use_block(std::string const& id, std::string const& name, std::string const& text)
{
    boost::system::error_code ec;
    auto input = json::parse(text, ec);
    return {{"toolUse", {{"toolUseId", id},
                         {"name", name},
                         {"input", !ec && input.is_object() ? input : json::object{}}}}};
}

void settle(mode m, extraction& x)
{
    if (x.answers.size() > max_tool_calls)
        throw error(errc::protocol_error, "the reply has more toolUse blocks than the limit of " +
                                              std::to_string(max_tool_calls));
    if (is_tools_mode(m)) {
        if (x.answers.empty())
            x.problem = std::string(no_call_problem);
        return;
    }
    set_text_answer(x, false, no_text_problem);
}

}  // namespace

conversation bedrock_initial(mode m, request const& req, tool_spec const& primary)
{
    conversation c;
    auto add_system = [&](std::string const& text) { append_paragraph(c.system, text); };
    for (std::size_t i = 0; i < req.messages.size(); ++i) {
        auto const& msg = req.messages[i];
        if (msg.role == "system") {
            add_system(system_text_of(msg, i, bedrock_api));
            continue;
        }
        add_turn(c.messages, msg.role == "assistant" ? "assistant" : "user",
                 untyped_blocks_of(msg, i, bedrock_rules));
    }
    if (m == mode::bedrock_json)
        add_system(json_instructions(*primary.schema));
    if (is_tools_mode(m) && thinking(req))  // the tool is offered, not forced: ask for it
        add_system(m == mode::bedrock_tools
                       ? "Answer by calling the " + primary.name + " tool with the JSON input."
                       : std::string("Answer by calling the tools with the JSON input."));
    return c;
}

json::object build_bedrock_body(mode m, request const& req, conversation const& conv,
                                std::span<tool_spec const> tools)
{
    (void)primary_tool(tools);
    if (!is_bedrock_mode(m))
        throw error(errc::invalid_argument,
                    "mode " + std::string(to_string(m)) + " is not a Bedrock Converse API mode");
    json::object body{{"messages", conv.messages}};
    if (!conv.system.empty())
        body["system"] = json::array{json::object{{"text", conv.system}}};
    json::object inference;
    if (req.max_tokens)
        inference["maxTokens"] = *req.max_tokens;
    if (thinking(req)) {  // room for the answer past the thinking, as the model wants
        auto const budget = static_cast<std::int64_t>(*req.reasoning->budget_tokens);
        if (!req.max_tokens || static_cast<std::int64_t>(*req.max_tokens) <= budget)
            inference["maxTokens"] = budget + 4096;
    }
    if (req.temperature)
        inference["temperature"] = *req.temperature;
    if (!inference.empty())
        body["inferenceConfig"] = std::move(inference);
    if (is_tools_mode(m)) {
        json::array offered;
        for (auto const& t : tools) {
            offered.push_back(json::object{
                {"toolSpec",
                 {{"name", t.name},
                  {"description", t.description.empty() ? default_description(t.name) : t.description},
                  {"inputSchema", {{"json", *t.parameters}}}}}});
            if (m == mode::bedrock_tools)
                break;  // one forced tool
        }
        json::object choice;
        if (thinking(req))
            choice["auto"] = json::object{};
        else if (m == mode::bedrock_tools)
            choice["tool"] = json::object{{"name", tools.front().name}};
        else
            choice["any"] = json::object{};
        body["toolConfig"] =
            json::object{{"tools", std::move(offered)}, {"toolChoice", std::move(choice)}};
    }
    if (req.reasoning) {
        json::object fields;
        if (thinking(req))
            fields["thinking"] = json::object{{"type", "enabled"},
                                              {"budget_tokens", *req.reasoning->budget_tokens}};
        else if (!req.reasoning->effort.empty())
            fields["reasoning_effort"] = req.reasoning->effort;
        if (!fields.empty())
            body["additionalModelRequestFields"] = std::move(fields);
    }
    // Model-specific fields live in additionalModelRequestFields, inference settings in
    // inferenceConfig.
    merge_extra_body(body, req.extra_body);
    return body;
}

std::string write_bedrock_body(mode m, request const& req, conversation const& conv,
                               std::span<tool_spec const> tools)
{
    // What the writer does not know (an extra member may merge into one in its place, a mode's
    // or a missing model's error): the tree's own serialization.
    if (!is_bedrock_mode(m) || !req.extra_body.empty() || tools.empty())
        return json::serialize(build_bedrock_body(m, req, conv, tools));
    json_writer w(1024);
    w.open().key("messages").value(conv.messages);
    if (!conv.system.empty())
        w.key("system").open_array().open().key("text").string(conv.system).close().close_array();
    std::optional<std::int64_t> max_tokens;
    if (req.max_tokens)
        max_tokens = *req.max_tokens;
    if (thinking(req)) {  // as the tree: room for the answer past the thinking
        auto const budget = static_cast<std::int64_t>(*req.reasoning->budget_tokens);
        if (!req.max_tokens || static_cast<std::int64_t>(*req.max_tokens) <= budget)
            max_tokens = budget + 4096;
    }
    if (max_tokens || req.temperature) {
        w.key("inferenceConfig").open();
        if (max_tokens)
            w.key("maxTokens").number(*max_tokens);
        if (req.temperature)
            w.key("temperature").number(*req.temperature);
        w.close();
    }
    if (is_tools_mode(m)) {
        w.key("toolConfig").open().key("tools").open_array();
        for (auto const& t : tools) {
            write_name(w.open().key("toolSpec").open().key("name"), t).key("description");
            write_description(w, t);
            w.key("inputSchema").open().key("json").schema(*t.parameters, t.parameters_json);
            w.close().close().close();
            if (m == mode::bedrock_tools)
                break;  // one forced tool
        }
        w.close_array().key("toolChoice").open();
        if (thinking(req))
            w.key("auto").open().close();
        else if (m == mode::bedrock_tools)
            write_name(w.key("tool").open().key("name"), tools.front()).close();
        else
            w.key("any").open().close();
        w.close().close();
    }
    if (req.reasoning && (thinking(req) || !req.reasoning->effort.empty())) {
        w.key("additionalModelRequestFields").open();
        if (thinking(req)) {
            w.key("thinking").open().key("type").string("enabled").key("budget_tokens");
            w.number(std::int64_t{*req.reasoning->budget_tokens}).close();
        }
        else {
            w.key("reasoning_effort").string(req.reasoning->effort);
        }
        w.close();
    }
    w.close();
    return w.take();
}

extraction extract_bedrock(mode m, json::value const& response)
{
    auto const* root = response.if_object();
    auto const* output = root ? object_at(*root, "output") : nullptr;
    auto const* message = output ? object_at(*output, "message") : nullptr;
    auto const* content = message ? array_at(*message, "content") : nullptr;
    if (!content)
        throw error(errc::protocol_error,
                    "the response is not a Converse response (no output.message.content)");
    extraction x;
    for (auto const& b : *content) {
        auto const* block = b.if_object();
        if (!block)
            continue;
        if (auto const* use = object_at(*block, "toolUse")) {
            if (!is_tools_mode(m))
                continue;
            auto const* input = use->if_contains("input");
            x.answers.push_back(tool_use_answer(
                string_at(*use, "name"), string_at(*use, "toolUseId"),
                input && !input->is_null() ? json::serialize(*input) : std::string(),
                x.answers.size()));
        }
        else if (auto const* r = object_at(*block, "reasoningContent")) {
            x.kept.push_back(*block);  // sent back unchanged on a re-ask (its signature)
            if (auto const* t = object_at(*r, "reasoningText"))
                if (auto text = string_at(*t, "text"); !text.empty())
                    x.reasoning = x.reasoning.value_or("") + text;
        }
        else {
            x.content += string_at(*block, "text");
        }
    }
    return bedrock_extraction(m, std::move(x), string_at(*root, "stopReason"));
}

answer tool_use_answer(std::string name, std::string id, std::string input, std::size_t index)
{
    answer a{std::move(name), std::move(id), std::move(input), {}};
    if (a.id.empty())
        a.id = "call_" + std::to_string(index);
    if (a.text.empty())
        a.text = "{}";
    return a;
}

extraction bedrock_extraction(mode m, extraction x, std::string_view stop_reason)
{
    x.finish_reason = finish_reason_of(stop_reason);
    settle(m, x);
    return x;
}

usage bedrock_usage(json::value const& response)
{
    usage u;
    auto const* root = response.if_object();
    auto const* us = root ? object_at(*root, "usage") : nullptr;
    if (!us)
        return u;
    u.prompt_tokens = count_at(*us, "inputTokens");
    u.completion_tokens = count_at(*us, "outputTokens");
    u.cached_tokens = count_at(*us, "cacheReadInputTokens");
    u.total_tokens = count_at(*us, "totalTokens");
    if (u.total_tokens == 0)
        u.total_tokens = u.prompt_tokens + u.completion_tokens;
    return u;
}

std::optional<bedrock_delta> bedrock_delta_of(json::object const& event)
{
    static json::object const none;
    auto const* delta = object_at(event, "delta");
    if (!delta)
        delta = &none;
    auto const block = count_at(event, "contentBlockIndex");
    if (auto const* use = object_at(*delta, "toolUse"))
        return bedrock_delta{block, true, string_at(*use, "input")};
    if (object_at(*delta, "reasoningContent"))
        return std::nullopt;
    return bedrock_delta{block, false, string_at(*delta, "text")};
}

json::array bedrock_reask(mode m, extraction const& got, std::string const& errors,
                          std::string_view prefix)
{
    json::array out;
    json::array content = got.kept;  // reasoning first, unchanged, as the model requires
    if (!got.content.empty())
        content.push_back(json::object{{"text", got.content}});
    if (is_tools_mode(m))
        for (auto const& a : got.answers)
            content.push_back(tool_use_block(a.id, a.name, a.text));
    if (!content.empty())
        out.push_back(json::object{{"role", "assistant"}, {"content", std::move(content)}});
    json::array feedback;
    if (is_tools_mode(m) && !got.answers.empty()) {
        for (std::size_t i = 0; i < got.answers.size(); ++i)
            feedback.push_back(json::object{
                {"toolResult",
                 {{"toolUseId", got.answers[i].id},
                  {"content", {json::object{{"text", tool_feedback_for(i, errors)}}}},
                  {"status", "error"}}}});
    }
    else {
        feedback.push_back(json::object{
            {"text", is_tools_mode(m) ? tool_feedback(errors)
                                      : std::string(prefix) + errors}});
    }
    out.push_back(json::object{{"role", "user"}, {"content", std::move(feedback)}});
    return out;
}

std::string bedrock_error_message(std::string_view body)
{
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    auto const* o = ec ? nullptr : v.if_object();
    if (!o)
        return {};
    auto m = string_at(*o, "message");
    return m.empty() ? string_at(*o, "Message") : m;
}

namespace {

/// An exception frame inside a stream as the error it is: throttling as rate_limited, a bad
/// request as bad_request, the rest as server errors.
[[noreturn]] void throw_stream_exception(std::string_view type, std::string const& message)
{
    auto e = stream_error(message.empty() ? std::string(type) : message);
    if (type == "throttlingException" || type == "ThrottlingException")
        e = error(errc::rate_limited, e.what());
    else if (type == "validationException" || type == "ValidationException")
        e = error(errc::bad_request, e.what());
    e.provider_message = message;
    throw e;
}

/// A converse-stream reply, one event-stream frame an event: blocks are numbered by
/// contentBlockIndex (text, reasoning and tool use alike), tool calls renumbered in call order;
/// messageStop ends it, and the metadata event after it brings the usage.
class bedrock_reader final : public delta_reader {
public:
    explicit bedrock_reader(mode m)
        : delta_reader(is_tools_mode(m), false, no_call_problem, no_text_problem)
    {}

    void on_event(net::sse_event const& ev, piece_sink const& sink) override
    {
        auto const colon = ev.event.find(':');
        if (colon != std::string::npos) {  // exception:<type> or error:<code>
            auto const kind = std::string_view(ev.event).substr(0, colon);
            auto const type = std::string_view(ev.event).substr(colon + 1);
            throw_stream_exception(type, kind == "error" ? ev.data : bedrock_error_message(ev.data));
        }
        if (ev.event == "contentBlockDelta")  // most of a stream: no tree
            if (auto text = read_bedrock_delta(ev.data)) {
                chunk_delta d;
                on_delta(*text, d);
                return apply(d, sink);
            }
        unsigned char arena[4096];
        json::monotonic_resource mr(arena, sizeof arena);
        boost::system::error_code ec;
        auto v = json::parse(ev.data, ec, &mr);
        if (ec || !v.is_object())
            throw error(errc::protocol_error, "a stream event is not a JSON object");
        auto const& o = v.get_object();
        chunk_delta d;
        auto const block = count_at(o, "contentBlockIndex");
        if (ev.event == "contentBlockStart") {
            auto const* start = object_at(o, "start");
            if (auto const* use = start ? object_at(*start, "toolUse") : nullptr) {
                if (block_call_.size() >= max_tool_calls)
                    throw error(errc::protocol_error, "the stream has more toolUse blocks than "
                                                      "the limit");
                auto const index = block_call_.size();
                if (!block_call_.emplace(block, index).second)
                    throw error(errc::protocol_error, "a stream starts content block " +
                                                          std::to_string(block) + " twice");
                d.calls.push_back({index, string_at(*use, "toolUseId"), string_at(*use, "name"), {}});
            }
        }
        else if (ev.event == "contentBlockDelta") {
            if (auto text = bedrock_delta_of(o))
                on_delta(*text, d);
            else  // a reasoning delta
                reason(block, *object_at(*object_at(o, "delta"), "reasoningContent"), d);
        }
        else if (ev.event == "messageStop") {
            stop_reason_ = string_at(o, "stopReason");
            d.finish_reason = finish_reason_of(stop_reason_);
            stopped_ = true;
        }
        else if (ev.event == "metadata") {
            d.usage = bedrock_usage(v);
        }
        apply(d, sink);  // messageStart, contentBlockStop and unknown events change nothing
    }
    /// A text or tool input delta, however it was read.
    void on_delta(bedrock_delta const& text, chunk_delta& d)
    {
        if (!text.tool_input)
            d.content = text.text;
        else if (auto it = block_call_.find(text.block); it != block_call_.end())
            d.calls.push_back({it->second, {}, {}, text.text});
    }
    bool ended(net::event_source const&) const override { return stopped_; }
    std::string missing_end() const override { return "the stream ended without messageStop"; }

    extraction finish(piece_sink const& sink) override
    {
        auto x = delta_reader::finish(sink);
        x.kept = kept_blocks();
        return x;
    }

    json::value response() const override
    {
        json::array content = kept_blocks();
        if (!text_.all.empty())
            content.push_back(json::object{{"text", text_.all}});
        for (auto const& c : calls_.calls)
            content.push_back(tool_use_block(c.id, c.name, c.text));
        return json::object{
            {"output", {{"message", {{"role", "assistant"}, {"content", std::move(content)}}}}},
            {"stopReason", stop_reason_},
            {"usage",
             {{"inputTokens", usage_.prompt_tokens},
              {"outputTokens", usage_.completion_tokens},
              {"totalTokens", usage_.total_tokens},
              {"cacheReadInputTokens", usage_.cached_tokens}}}};
    }

private:
    /// A reasoning delta (text, signature, or redacted bytes) into its block, kept for a re-ask
    /// in the shape a whole reply gives it.
    void reason(std::uint64_t block, json::object const& r, chunk_delta& d)
    {
        if (!reasoning_.contains(block) && reasoning_.size() >= max_tool_calls)
            throw error(errc::protocol_error, "the stream has more reasoning blocks than the "
                                              "limit");
        auto& kept = reasoning_[block];
        auto append = [&](json::object& into, char const* key, std::string const& piece) {
            if (piece.empty())
                return;
            held_ += piece.size();
            auto& v = into[key];
            if (!v.is_string())
                v = "";
            v.get_string().append(piece);
        };
        if (r.contains("redactedContent")) {
            // Each piece is base64 of its own bytes: the block holds the bytes of all of them.
            auto piece = string_at(r, "redactedContent");
            auto& v = kept["redactedContent"];
            if (v.is_string()) {
                auto joined = net::detail::unbase64(v.get_string());
                auto more = net::detail::unbase64(piece);
                if (!joined || !more)
                    throw error(errc::protocol_error, "redacted reasoning that is not base64");
                piece = net::detail::base64(*joined + *more);
                held_ -= std::min(held_, v.get_string().size());
            }
            held_ += piece.size();
            v = piece;
            return;
        }
        auto& text = kept["reasoningText"];
        if (!text.is_object())
            text = json::object{};
        d.reasoning = string_at(r, "text");
        append(text.get_object(), "text", d.reasoning);
        append(text.get_object(), "signature", string_at(r, "signature"));
    }

    json::array kept_blocks() const
    {
        json::array out;
        for (auto const& [block, r] : reasoning_)
            out.push_back(json::object{{"reasoningContent", r}});
        return out;
    }

    bool stopped_ = false;
    std::string stop_reason_;  // as the API words it, for response()
    std::map<std::uint64_t, std::size_t> block_call_;      // content block -> call number
    std::map<std::uint64_t, json::object> reasoning_;      // content block -> reasoningContent
};

class bedrock final : public wire {
public:
    bedrock(mode m, client_options const& o)
        : m_(m), extras_(request_extras::of(o)), aws_(o.aws)
    {}

    net::http_request http_request(endpoint_config const& ep, std::string_view model, bool stream,
                                   std::string body) const override
    {
        if (model.empty())
            throw error(errc::invalid_argument, "a Bedrock call needs a model id");
        // The id is one path segment, encoded (an ARN holds ':' and '/').
        std::string const path =
            "model/" + aws_uri_encode(model) + (stream ? "/converse-stream" : "/converse");
        auto hr = api_request(api_for(m_), ep, path, {}, extras_, std::move(body));
        if (ep.api_key.empty() && aws_) {  // no Bedrock API key: Signature Version 4
            hr.secrets = {aws_->secret_access_key, aws_->session_token};
            hr.sign = [creds = *aws_](std::string_view host, std::string_view target,
                                      net::http_request const& r) {
                // The endpoint's own region first (a fallback may be in another), else the
                // credentials'.
                auto region = region_of_host(host.substr(0, host.find(':')));
                if (region.empty())
                    region = creds.region;
                // Every x-amz-* header sent is signed, as AWS requires.
                std::vector<net::header> amz;
                for (auto const& h : r.headers)
                    if (boost::istarts_with(h.name, "x-amz-"))
                        amz.push_back(h);
                return sigv4_sign(creds, "bedrock", region,
                                  {r.method, host, target, std::move(amz), r.body},
                                  amz_date_now())
                    .headers;
            };
        }
        return hr;
    }
    conversation initial(request const& req, tool_spec const& primary) const override
    {
        return bedrock_initial(m_, req, primary);
    }
    json::object body(request const& req, std::string const&, conversation const& conv,
                      std::span<tool_spec const> tools, bool) const override
    {
        return build_bedrock_body(m_, req, conv, tools);
    }
    std::string body_text(request const& req, std::string const&, conversation const& conv,
                          std::span<tool_spec const> tools, bool) const override
    {
        return write_bedrock_body(m_, req, conv, tools);
    }
    extraction extract(json::value const& response) const override
    {
        return extract_bedrock(m_, response);
    }
    usage usage_of(json::value const& response) const override { return bedrock_usage(response); }
    std::optional<reply_reading> read_reply(std::string_view body) const override
    {
        return read_bedrock_reply(m_, body);
    }
    void reask(conversation& conv, extraction const& got, std::string const& errors) const override
    {
        for (auto& turn : bedrock_reask(m_, got, errors)) {
            auto& t = turn.get_object();
            auto role = std::string(t.at("role").get_string());
            add_turn(conv.messages, role, std::move(t.at("content").get_array()));
        }
    }
    // A text mode's turns: the cut answer, then the ask as it is.
    void continue_cut(conversation& conv, extraction const& got,
                      std::string const& ask) const override
    {
        for (auto& turn : bedrock_reask(mode::json, got, ask, {})) {
            auto& t = turn.get_object();
            auto role = std::string(t.at("role").get_string());
            add_turn(conv.messages, role, std::move(t.at("content").get_array()));
        }
    }
    std::unique_ptr<stream_reader> reader() const override
    {
        return std::make_unique<bedrock_reader>(m_);
    }
    std::unique_ptr<net::event_source> events(std::size_t max_event) const override
    {
        return std::make_unique<event_stream_decoder>(max_event);
    }

private:
    mode m_;
    request_extras extras_;
    std::optional<aws_credentials> aws_;
};

}  // namespace

std::unique_ptr<wire> make_bedrock(mode m, client_options const& o)
{
    return std::make_unique<bedrock>(m, o);
}

}  // namespace instructor::detail
