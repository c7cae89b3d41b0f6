// Google's Gemini API: generateContent and streamGenerateContent (SSE) in genai_tools,
// genai_parallel_tools and genai_structured_outputs.
#include "protocol/genai/genai.hpp"

#include "protocol/api_table.hpp"
#include "protocol/content_parts.hpp"
#include "protocol/json_access.hpp"
#include "protocol/json_in_text.hpp"
#include "protocol/json_writer.hpp"
#include "protocol/prompts.hpp"

#include <instructor/error.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>

namespace instructor::detail {

namespace json = boost::json;
using namespace json_access;

namespace {

constexpr std::string_view genai_api = "Gemini API";
constexpr std::string_view no_call_problem =
    "The reply did not call the function; call it with the JSON arguments.";
constexpr std::string_view no_text_problem = "The reply has no text; answer with the JSON object.";

/// Bytes (or a data: URL) inline; an https: URL as file data.
json::object genai_media(part_place const& at)
{
    auto const& p = at.p;
    if (!p.file_id.empty())
        at.refuse("cannot read an OpenAI file id: send the bytes or a URL");
    std::string media_type, data;
    if (!p.data.empty())
        return {{"inlineData", {{"mimeType", p.media_type}, {"data", p.data}}}};
    if (split_data_url(p.url, media_type, data))
        return {{"inlineData", {{"mimeType", media_type}, {"data", data}}}};
    json::object file{{"fileUri", p.url}};
    if (!p.media_type.empty())
        file["mimeType"] = p.media_type;
    return {{"fileData", std::move(file)}};
}

constexpr part_rules genai_rules{genai_api, "text",
                                 "takes images, audio and documents only in user messages",
                                 genai_media};


/// Gemini's finish reasons in the chat completions words the call core reads.
std::string finish_reason_of(std::string_view r)
{
    if (r == "STOP")
        return "stop";
    if (r == "MAX_TOKENS")
        return "length";
    if (r == "SAFETY" || r == "PROHIBITED_CONTENT" || r == "BLOCKLIST" || r == "SPII" ||
        r == "RECITATION" || r == "IMAGE_SAFETY")
        return "content_filter";
    return std::string(r);
}

bool is_thought(json::object const& part)
{
    auto const* t = part.if_contains("thought");
    return t && t->is_bool() && t->get_bool();
}

/// A part that is text and nothing else (`{"text"}`, or `{"text", "thought"}`): what a stream
/// sends in pieces of one part.
bool is_text_piece(json::object const& part)
{
    auto const* t = part.if_contains("text");
    return t && t->is_string() && part.size() == (part.contains("thought") ? 2u : 1u);
}

/// A text piece whose part a stream rebuilds as it came: `{"text"}` alone, or a thought's
/// `{"text", "thought": true}` in that order.
bool is_piece(json::object const& part)
{
    if (!is_text_piece(part))
        return false;
    return part.size() == 1 || (part.begin()->key() == "text" && is_thought(part));
}

/// One functionCall part as an answer (ids are the API's when it sends them).
answer call_of(json::object const& call, std::size_t index)
{
    auto const* args = call.if_contains("args");
    return genai_call_answer(string_at(call, "name"), string_at(call, "id"),
                             args && args->is_object() ? json::serialize(*args) : "{}", index);
}

/// What the first candidate's parts say: answers, text, reasoning; the parts kept as given.
void read_parts(mode m, json::array const& parts, extraction& x)
{
    for (auto const& p : parts) {
        auto const* part = p.if_object();
        if (!part)
            continue;
        x.kept.push_back(*part);
        if (auto const* call = object_at(*part, "functionCall")) {
            if (is_tools_mode(m))
                x.answers.push_back(call_of(*call, x.answers.size()));
        }
        else if (is_thought(*part)) {
            if (auto t = string_at(*part, "text"); !t.empty())
                x.reasoning = x.reasoning.value_or("") + t;
        }
        else {
            x.content += string_at(*part, "text");
        }
    }
    if (x.answers.size() > max_tool_calls)
        throw error(errc::protocol_error, "the reply has more function calls than the limit of " +
                                              std::to_string(max_tool_calls));
}

void settle(mode m, extraction& x)
{
    if (is_tools_mode(m)) {
        if (x.answers.empty())  // a filtered reply stops first (model_stop), never re-asked
            x.problem = std::string(no_call_problem);
        return;
    }
    set_text_answer(x, false, no_text_problem);
}

}  // namespace

answer genai_call_answer(std::string name, std::string id, std::string args, std::size_t index)
{
    answer a;
    a.name = std::move(name);
    a.id = id.empty() ? "call_" + std::to_string(index) : std::move(id);
    a.text = std::move(args);
    return a;
}

extraction genai_extraction(mode m, extraction x, std::string_view finish_reason)
{
    x.finish_reason = finish_reason_of(finish_reason);
    settle(m, x);
    return x;
}

conversation genai_initial(mode, request const& req)
{
    conversation c;
    for (std::size_t i = 0; i < req.messages.size(); ++i) {
        auto const& msg = req.messages[i];
        if (msg.role == "system") {
            append_paragraph(c.system, system_text_of(msg, i, genai_api));
            continue;
        }
        c.messages.push_back(json::object{{"role", msg.role == "assistant" ? "model" : "user"},
                                          {"parts", untyped_blocks_of(msg, i, genai_rules)}});
    }
    return c;
}

json::object build_genai_body(mode m, request const& req, conversation const& conv,
                              std::span<tool_spec const> tools)
{
    auto const& primary = primary_tool(tools);
    if (!is_genai_mode(m))
        throw error(errc::invalid_argument,
                    "mode " + std::string(to_string(m)) + " is not a Gemini API mode");
    json::object body{{"contents", conv.messages}};
    if (!conv.system.empty())
        body["systemInstruction"] = json::object{{"parts", {json::object{{"text", conv.system}}}}};
    json::object gen;
    if (is_tools_mode(m)) {
        json::array declarations, names;
        for (auto const& t : tools) {
            declarations.push_back(json::object{
                {"name", t.name},
                {"description", t.description.empty() ? default_description(t.name) : t.description},
                {"parameters", genai_function_schema(*t.parameters)}});
            names.push_back(json::string(t.name));
            if (m == mode::genai_tools)
                break;  // one function, forced
        }
        body["tools"] = json::array{json::object{{"functionDeclarations", std::move(declarations)}}};
        body["toolConfig"] = json::object{
            {"functionCallingConfig", {{"mode", "ANY"}, {"allowedFunctionNames", std::move(names)}}}};
    }
    else {
        gen["responseMimeType"] = "application/json";
        gen["responseJsonSchema"] = *primary.parameters;
    }
    if (req.temperature)
        gen["temperature"] = *req.temperature;
    if (req.max_tokens)
        gen["maxOutputTokens"] = *req.max_tokens;
    if (req.reasoning) {
        json::object thinking{{"includeThoughts", true}};
        if (req.reasoning->budget_tokens)
            thinking["thinkingBudget"] = *req.reasoning->budget_tokens;
        else if (!req.reasoning->effort.empty())
            thinking["thinkingLevel"] = req.reasoning->effort;
        gen["thinkingConfig"] = std::move(thinking);
    }
    if (!gen.empty())
        body["generationConfig"] = std::move(gen);
    // Most of Gemini's options live inside generationConfig and toolConfig.
    merge_extra_body(body, req.extra_body);
    return body;
}

std::string write_genai_body(mode m, request const& req, conversation const& conv,
                             std::span<tool_spec const> tools)
{
    // What the writer does not know (an extra member may merge into one in its place, a mode's
    // or a missing model's error): the tree's own serialization.
    if (!is_genai_mode(m) || !req.extra_body.empty() || tools.empty())
        return json::serialize(build_genai_body(m, req, conv, tools));
    json_writer w(1024);
    w.open().key("contents").value(conv.messages);
    if (!conv.system.empty()) {
        w.key("systemInstruction").open().key("parts").open_array();
        w.open().key("text").string(conv.system).close().close_array().close();
    }
    if (is_tools_mode(m)) {
        std::string scratch;
        w.key("tools").open_array().open().key("functionDeclarations").open_array();
        for (auto const& t : tools) {
            write_name(w.open().key("name"), t).key("description");
            write_description(w, t);
            w.key("parameters").raw(genai_function_schema_text(t, scratch)).close();
            if (m == mode::genai_tools)
                break;  // one function, forced
        }
        w.close_array().close().close_array();
        w.key("toolConfig").open().key("functionCallingConfig").open();
        w.key("mode").string("ANY").key("allowedFunctionNames").open_array();
        for (auto const& t : tools) {
            write_name(w, t);
            if (m == mode::genai_tools)
                break;
        }
        w.close_array().close().close();
    }
    bool const json_mode = !is_tools_mode(m);
    if (json_mode || req.temperature || req.max_tokens || req.reasoning) {
        w.key("generationConfig").open();
        if (json_mode) {
            w.key("responseMimeType").string("application/json").key("responseJsonSchema");
            w.schema(*tools.front().parameters, tools.front().parameters_json);
        }
        if (req.temperature)
            w.key("temperature").number(*req.temperature);
        if (req.max_tokens)
            w.key("maxOutputTokens").number(std::int64_t{*req.max_tokens});
        if (req.reasoning) {
            w.key("thinkingConfig").open().key("includeThoughts").boolean(true);
            if (req.reasoning->budget_tokens)
                w.key("thinkingBudget").number(std::int64_t{*req.reasoning->budget_tokens});
            else if (!req.reasoning->effort.empty())
                w.key("thinkingLevel").string(req.reasoning->effort);
            w.close();
        }
        w.close();
    }
    w.close();
    return w.take();
}

extraction extract_genai(mode m, json::value const& response)
{
    auto const* root = response.if_object();
    if (!root)
        throw error(errc::protocol_error, "the response is not a Gemini API response");
    extraction x;
    auto const* candidates = array_at(*root, "candidates");
    auto const* first = candidates && !candidates->empty() ? candidates->front().if_object()
                                                           : nullptr;
    if (!first) {
        auto const* feedback = object_at(*root, "promptFeedback");
        if (!feedback || string_at(*feedback, "blockReason").empty())
            throw error(errc::protocol_error,
                        "the response is not a Gemini API response (no candidates)");
        x.finish_reason = "content_filter";  // the prompt itself was blocked
        return x;
    }
    if (auto const* content = object_at(*first, "content"))
        if (auto const* parts = array_at(*content, "parts"))
            read_parts(m, *parts, x);
    return genai_extraction(m, std::move(x), string_at(*first, "finishReason"));
}

usage genai_usage(json::value const& response)
{
    auto const* root = response.if_object();
    auto const* md = root ? object_at(*root, "usageMetadata") : nullptr;
    if (!md)
        return {};
    return genai_usage_from(count_at(*md, "promptTokenCount"),
                            count_at(*md, "candidatesTokenCount"),
                            count_at(*md, "thoughtsTokenCount"),
                            count_at(*md, "cachedContentTokenCount"),
                            count_at(*md, "totalTokenCount"));
}

usage genai_usage_from(std::uint64_t prompt, std::uint64_t candidates, std::uint64_t thoughts,
                       std::uint64_t cached, std::uint64_t total)
{
    usage u;
    u.prompt_tokens = prompt;
    u.reasoning_tokens = thoughts;
    u.completion_tokens = candidates + thoughts;
    u.cached_tokens = cached;
    u.total_tokens = total != 0 ? total : prompt + u.completion_tokens;
    return u;
}

json::array genai_reask(mode m, extraction const& got, std::string const& errors,
                        std::string_view prefix)
{
    json::array out;
    json::array parts = got.kept;  // the model's turn as it came, thought signatures included
    if (parts.empty()) {  // none kept (read in one pass, or none came): rebuilt from the answers
        if (!got.content.empty())
            parts.push_back(json::object{{"text", got.content}});
        if (is_tools_mode(m))  // a text mode's answer is the text itself, never a call
            for (auto const& a : got.answers) {
                boost::system::error_code ec;
                auto args = json::parse(a.text, ec);
                json::value const given = !ec && args.is_object() ? args : json::object{};
                parts.push_back(
                    json::object{{"functionCall", {{"name", a.name}, {"args", given}}}});
            }
    }
    if (!parts.empty())
        out.push_back(json::object{{"role", "model"}, {"parts", std::move(parts)}});
    json::array feedback;
    if (is_tools_mode(m) && !got.answers.empty()) {
        for (std::size_t i = 0; i < got.answers.size(); ++i) {
            json::object response{{"name", got.answers[i].name},
                                  {"response", {{"error", tool_feedback_for(i, errors)}}}};
            if (!got.answers[i].id.starts_with("call_"))  // the API's own id goes back
                response["id"] = got.answers[i].id;
            feedback.push_back(json::object{{"functionResponse", std::move(response)}});
        }
    }
    else {
        feedback.push_back(json::object{
            {"text", is_tools_mode(m) ? tool_feedback(errors)
                                      : std::string(prefix) + errors}});
    }
    out.push_back(json::object{{"role", "user"}, {"parts", std::move(feedback)}});
    return out;
}

std::string genai_error_message(std::string_view body)
{
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec)
        return {};
    if (auto const* a = v.if_array(); a && !a->empty())  // a stream's error: [{"error": ...}]
        v = json::value(a->front());
    auto const* o = v.if_object();
    auto const* e = o ? object_at(*o, "error") : nullptr;
    return e ? string_at(*e, "message") : std::string();
}

namespace {

/// A streamed generateContent: each event is a GenerateContentResponse holding the parts that
/// arrived (text in pieces, a function call whole) and the usage so far. The stream has no end
/// marker: it ends with the chunk that carries a finishReason.
class genai_reader final : public delta_reader {
public:
    genai_reader(mode m, bool one_pass)
        : delta_reader(is_tools_mode(m), false, no_call_problem, no_text_problem),
          one_pass_(one_pass)
    {}

    void on_event(net::sse_event const& ev, piece_sink const& sink) override
    {
        if (one_pass_)  // most of a stream: text pieces, no tree
            if (auto e = read_genai_event(ev.data))
                return on_pieces(*e, sink);
        boost::system::error_code ec;
        auto v = json::parse(ev.data, ec);
        if (ec || !v.is_object())
            throw error(errc::protocol_error, "a stream event is not a JSON object");
        auto const& o = v.get_object();
        chunk_delta d;
        if (auto const* e = object_at(o, "error")) {
            auto msg = string_at(*e, "message");
            d.error = msg.empty() ? std::string("stream error") : msg;
        }
        if (object_at(o, "usageMetadata"))
            usage_ = genai_usage(v);  // each chunk reports the whole so far
        auto const* candidates = array_at(o, "candidates");
        auto const* first = candidates && !candidates->empty() ? candidates->front().if_object()
                                                               : nullptr;
        if (!first) {
            auto const* feedback = object_at(o, "promptFeedback");
            if (feedback && !string_at(*feedback, "blockReason").empty()) {
                d.finish_reason = "content_filter";
                ended_ = true;
            }
            apply(d, sink);
            return;
        }
        if (auto const* content = object_at(*first, "content"))
            if (auto const* parts = array_at(*content, "parts"))
                for (auto const& p : *parts)
                    if (auto const* part = p.if_object())
                        take(*part, d);
        take_finish(string_at(*first, "finishReason"), d);
        apply(d, sink);
    }
    bool ended(net::event_source const&) const override { return ended_; }
    std::string missing_end() const override
    {
        return "the stream ended before a chunk with its finishReason";
    }

    extraction finish(piece_sink const& sink) override
    {
        auto x = delta_reader::finish(sink);
        x.kept = parts_;
        return x;
    }

    json::value response() const override
    {
        json::object candidate{{"content", {{"role", "model"}, {"parts", parts_}}}};
        if (!finish_reason_.empty())
            candidate["finishReason"] = finish_reason_ == "length" ? "MAX_TOKENS"
                                        : finish_reason_ == "stop" ? "STOP"
                                                                   : finish_reason_;
        return json::object{
            {"candidates", {std::move(candidate)}},
            {"usageMetadata",
             {{"promptTokenCount", usage_.prompt_tokens},
              {"candidatesTokenCount", usage_.completion_tokens - usage_.reasoning_tokens},
              {"thoughtsTokenCount", usage_.reasoning_tokens},
              {"totalTokenCount", usage_.total_tokens}}}};
    }

private:
    /// An event read in one pass: what the tree reading below does with the same event.
    void on_pieces(genai_event const& e, piece_sink const& sink)
    {
        chunk_delta d;
        if (e.used)
            usage_ = *e.used;
        std::size_t from = 0;
        for (std::size_t i = 0; i < e.pieces; ++i) {
            take_piece(std::string_view(e.text).substr(from, e.ends[i] - from), e.thought[i], d);
            from = e.ends[i];
        }
        take_finish(e.finish_reason, d);
        apply(d, sink);
    }

    /// The finishReason an event sent (none: empty): the stream's last event.
    void take_finish(std::string_view reason, chunk_delta& d)
    {
        if (reason.empty())
            return;
        d.finish_reason = finish_reason_of(reason);
        ended_ = true;
    }

    void check_parts() const
    {
        if (parts_.size() >= max_tool_calls * 4)
            throw error(errc::protocol_error, "the stream has more parts than the limit");
    }

    /// A text piece (a part of `{"text"}` alone, or a thought's `{"text", "thought": true}`)
    /// into the delta, joined to the part before it when that is a piece of the same kind, as a
    /// whole reply holds them.
    void take_piece(std::string_view text, bool thought, chunk_delta& d)
    {
        check_parts();
        (thought ? d.reasoning : d.content) += text;
        auto* last = parts_.empty() ? nullptr : parts_.back().if_object();
        if (last && is_text_piece(*last) && is_thought(*last) == thought) {
            last->at("text").get_string().append(text);
            held_ += text.size();  // held twice: in the answer and in the parts kept
            return;
        }
        json::object part{{"text", text}};
        if (thought)
            part["thought"] = true;
        held_ += json::serialize(part).size();
        parts_.push_back(std::move(part));
    }

    /// One part into the delta, and into the parts a re-ask sends back (text pieces joined).
    void take(json::object const& part, chunk_delta& d)
    {
        if (is_piece(part))  // as the one-pass reading takes it
            return take_piece(part.at("text").get_string(), is_thought(part), d);
        check_parts();
        if (auto const* call = object_at(part, "functionCall")) {
            auto const index = calls_.calls.size() + d.calls.size();
            auto a = call_of(*call, index);
            d.calls.push_back({index, a.id, a.name, a.text});
            held_ += json::serialize(part).size();
            parts_.push_back(part);
            return;
        }
        auto const text = string_at(part, "text");
        bool const thought = is_thought(part);
        (thought ? d.reasoning : d.content) += text;
        // Text pieces of one kind join the part before them, as a whole reply holds them; a
        // part with anything else (a signature, inline data) stays a part of its own.
        auto* last = parts_.empty() ? nullptr : parts_.back().if_object();
        if (is_text_piece(part) && last && is_text_piece(*last) && is_thought(*last) == thought) {
            last->at("text").get_string().append(text);
            held_ += text.size();  // held twice: in the answer and in the parts kept
        }
        else {
            held_ += json::serialize(part).size();
            parts_.push_back(part);
        }
    }

    bool one_pass_;
    bool ended_ = false;
    json::array parts_;  // the model's parts as they streamed
};

class genai final : public wire {
public:
    genai(mode m, client_options const& o) : m_(m), extras_(request_extras::of(o)) {}

    net::http_request http_request(endpoint_config const& ep, std::string_view model, bool stream,
                                   std::string body) const override
    {
        auto const& api = api_for(m_);
        // models/{model}:generateContent, or the stream method with SSE framing. A name may
        // come with its collection ("models/...", "tunedModels/...").
        bool const plain = !model.empty() && std::ranges::all_of(model, [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                   c == '.' || c == '/';
        });
        if (!plain || model.find("..") != std::string_view::npos)
            throw error(errc::invalid_argument,
                        "a Gemini model name is letters, digits, '-', '_', '.' and '/': \"" +
                            std::string(model.substr(0, 80)) + "\"");
        std::string path = (model.find('/') == std::string_view::npos ? "models/" : "") +
                           std::string(model) +
                           (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
        return api_request(api, ep, path, {}, extras_, std::move(body));
    }
    conversation initial(request const& req, tool_spec const&) const override
    {
        return genai_initial(m_, req);
    }
    json::object body(request const& req, std::string const&, conversation const& conv,
                      std::span<tool_spec const> tools, bool) const override
    {
        return build_genai_body(m_, req, conv, tools);
    }
    std::string body_text(request const& req, std::string const&, conversation const& conv,
                          std::span<tool_spec const> tools, bool) const override
    {
        return write_genai_body(m_, req, conv, tools);
    }
    extraction extract(json::value const& response) const override
    {
        return extract_genai(m_, response);
    }
    usage usage_of(json::value const& response) const override { return genai_usage(response); }
    std::optional<reply_reading> read_reply(std::string_view body) const override
    {
        return read_genai_reply(m_, body);
    }
    void reask(conversation& conv, extraction const& got, std::string const& errors) const override
    {
        for (auto& c : genai_reask(m_, got, errors))
            conv.messages.push_back(std::move(c));
    }
    // A text mode's turns: the cut answer, then the ask as it is.
    void continue_cut(conversation& conv, extraction const& got,
                      std::string const& ask) const override
    {
        for (auto& c : genai_reask(mode::json, got, ask, {}))
            conv.messages.push_back(std::move(c));
    }
    std::unique_ptr<stream_reader> reader() const override { return make_genai_reader(m_); }

private:
    mode m_;
    request_extras extras_;
};

}  // namespace

std::unique_ptr<stream_reader> make_genai_reader(mode m, bool one_pass)
{
    return std::make_unique<genai_reader>(m, one_pass);
}

std::unique_ptr<wire> make_genai(mode m, client_options const& o)
{
    return std::make_unique<genai>(m, o);
}

}  // namespace instructor::detail
