// The mock endpoint's default answers: what a provider would say, in its wire format, with an
// instance of the schema the request carries.
#include "mock_answers.hpp"

#include "protocol/bedrock/event_stream.hpp"
#include "protocol/json_access.hpp"

#include <instructor/testing/example_instance.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/stream_parser.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <cctype>

namespace instructor::testing {

namespace json = boost::json;

namespace {

std::atomic<unsigned> next_id{1};

std::string text_of(json::value const& content)
{
    if (content.is_string())
        return std::string(content.get_string());
    std::string out;
    if (content.is_array())
        for (auto const& part : content.get_array())
            if (part.is_object())
                if (auto const* t = part.get_object().if_contains("text"); t && t->is_string()) {
                    if (!out.empty())
                        out += "\n";
                    out += t->get_string();
                }
    return out;
}

/// The text of every message with this role, joined. A Responses request's `input` may be a
/// plain string (the SDKs' usual form): the user's text; its `instructions` are the system's.
std::string texts(json::object const& req, std::string_view role,
                  std::string_view key = "messages")
{
    std::string out;
    if (key == "input") {
        auto const* own = req.if_contains(role == "user" ? "input" : "instructions");
        if (own && own->is_string() && (role == "user" || role == "system"))
            out = own->get_string();
    }
    if (auto const* msgs = req.if_contains(key); msgs && msgs->is_array())
        for (auto const& m : msgs->get_array()) {
            if (!m.is_object())
                continue;
            auto const* r = m.get_object().if_contains("role");
            auto const* c = m.get_object().if_contains("content");
            if (r && c && r->is_string() && r->get_string() == role) {
                if (!out.empty())
                    out += "\n";
                out += text_of(*c);
            }
        }
    return out;
}

/// A schema written into prompt text (json and md_json modes put it in the system message): the
/// first '{' at which a JSON object with schema keywords parses.
std::optional<json::object> schema_in_text(std::string_view text)
{
    for (std::size_t at = text.find('{'); at != std::string_view::npos;
         at = text.find('{', at + 1)) {
        json::stream_parser p;
        boost::system::error_code ec;
        p.write_some(text.data() + at, text.size() - at, ec);
        if (!p.done())
            continue;
        auto v = p.release();
        if (v.is_object() && (v.get_object().contains("properties") ||
                              v.get_object().contains("type")))
            return std::move(v.get_object());
    }
    return std::nullopt;
}

using instructor::detail::json_access::array_at;
using instructor::detail::json_access::object_at;
constexpr auto str_at = &instructor::detail::json_access::string_at;

std::vector<std::string> split(std::string const& s, std::size_t n)
{
    std::vector<std::string> out;
    n = std::max<std::size_t>(n, 1);
    for (std::size_t i = 0; i < s.size(); i += n)
        out.push_back(s.substr(i, n));
    return out;
}

/// The schema a `$ref` ("#/$defs/Name") names, or `s` itself; null when it cannot be found.
json::object const* resolved(json::object const& root, json::object const* s)
{
    for (int hops = 0; s && hops < 16; ++hops) {
        auto const* ref = s->if_contains("$ref");
        if (!ref || !ref->is_string())
            return s;
        std::string_view const name = ref->get_string();
        constexpr std::string_view defs = "#/$defs/";
        if (name.substr(0, defs.size()) != defs)
            return nullptr;
        auto const* all = object_at(root, "$defs");
        auto const* next = all ? all->if_contains(name.substr(defs.size())) : nullptr;
        s = next ? next->if_object() : nullptr;
    }
    return nullptr;
}

/// The first string in instance `v` whose schema `s` leaves it free (no enum, const, pattern,
/// format or maxLength), depth first: lengthening it keeps the instance valid.
json::string* free_string(json::value& v, json::object const& root, json::object const* s)
{
    s = resolved(root, s);
    if (!s)
        return nullptr;
    if (auto* str = v.if_string()) {
        for (auto const* key : {"enum", "const", "pattern", "format", "maxLength"})
            if (s->contains(key))
                return nullptr;
        return str;
    }
    for (auto const* key : {"anyOf", "oneOf"})  // an optional member: try each alternative
        if (auto const* alts = s->if_contains(key); alts && alts->is_array())
            for (auto const& alt : alts->get_array())
                if (alt.is_object())
                    if (auto* found = free_string(v, root, &alt.get_object()))
                        return found;
    if (auto* o = v.if_object()) {
        auto const* props = object_at(*s, "properties");
        for (auto& kv : *o) {
            auto const* p = props ? props->if_contains(kv.key()) : nullptr;
            if (p && p->is_object())
                if (auto* found = free_string(kv.value(), root, &p->get_object()))
                    return found;
        }
    }
    if (auto* a = v.if_array()) {
        auto const* items = object_at(*s, "items");
        for (auto& e : *a)
            if (items)
                if (auto* found = free_string(e, root, items))
                    return found;
    }
    return nullptr;
}

/// An instance of `schema`, lengthened to about `o.answer_bytes` of JSON (a load test's answer
/// size) by extending its first string with words.
json::value instance_of(json::object const& schema, std::string const& prompt,
                        mock_options const& o)
{
    auto v = example_instance(schema, prompt);
    if (o.answer_bytes == 0)
        return v;
    auto const size = json::serialize(v).size();
    auto* str = free_string(v, schema, &schema);
    if (!str || size >= o.answer_bytes)
        return v;
    static constexpr std::string_view words = "lorem ipsum dolor sit amet consectetur ";
    std::string text(str->data(), str->size());
    for (std::size_t i = 0, missing = o.answer_bytes - size; i < missing; ++i)
        text.push_back(words[i % words.size()]);
    *str = text;
    return v;
}

/// Usage as chat reports it; a reasoning model's (reasoning_effort asked) counts reasoning
/// tokens among the completion's.
json::object usage_openai(std::size_t in, std::size_t out, bool reasoning = false)
{
    auto p = static_cast<std::int64_t>(in / 4 + 1), c = static_cast<std::int64_t>(out / 4 + 1);
    json::object u{{"prompt_tokens", p}, {"completion_tokens", c + (reasoning ? 8 : 0)},
                   {"total_tokens", p + c + (reasoning ? 8 : 0)}};
    if (reasoning)
        u["completion_tokens_details"] = json::object{{"reasoning_tokens", 8}};
    return u;
}

/// The functions a request offers, {name, parameter schema}: only the forced one when
/// `chosen` names one. Chat tools nest the function (`{"type", "function": {...}}`); the
/// Responses API's are flat (`{"type": "function", "name", "parameters"}`).
std::vector<std::pair<std::string, json::object>> asked_functions(json::array const& tools,
                                                                  std::string const& chosen,
                                                                  bool nested)
{
    std::vector<std::pair<std::string, json::object>> out;
    for (auto const& t : tools) {
        auto const* f = t.if_object();
        if (f && nested)
            f = object_at(*f, "function");
        else if (f && str_at(*f, "type") != "function")
            f = nullptr;
        if (!f)
            continue;
        std::string name = str_at(*f, "name");
        if (!chosen.empty() && name != chosen)
            continue;
        json::object schema;
        if (auto const* p = object_at(*f, "parameters"))
            schema = *p;
        out.emplace_back(std::move(name), std::move(schema));
    }
    return out;
}

struct tool_call {
    std::string id, name, arguments;
};

// ---- OpenAI chat completions ---------------------------------------------------------------------

mock_reply openai_answer(json::object const& req, std::size_t request_size, mock_options const& o)
{
    std::string const prompt = texts(req, "user");
    std::string const model = req.contains("model") ? str_at(req, "model") : "mock-model";
    unsigned const id = next_id++;
    std::vector<tool_call> calls;
    std::string content;
    bool have_content = false;

    auto const* tools = req.if_contains("tools");
    if (tools && tools->is_array() && !tools->get_array().empty()) {
        std::string chosen;
        if (auto const* tc = object_at(req, "tool_choice"))
            if (auto const* f = object_at(*tc, "function"))
                chosen = str_at(*f, "name");
        for (auto const& [name, schema] : asked_functions(tools->get_array(), chosen, true))
            calls.push_back({"call_mock_" + std::to_string(id) + "_" + std::to_string(calls.size()),
                             name, json::serialize(instance_of(schema, prompt, o))});
    }
    else {
        std::optional<json::object> schema;
        if (auto const* rf = object_at(req, "response_format")) {
            if (auto const* js = object_at(*rf, "json_schema"); js && object_at(*js, "schema"))
                schema = *object_at(*js, "schema");
            else if (auto const* s = object_at(*rf, "schema"))
                schema = *s;  // the older {type: json_object, schema} shape
        }
        if (!schema)
            schema = schema_in_text(texts(req, "system"));
        if (!schema)
            schema = schema_in_text(prompt);
        if (schema) {
            content = json::serialize(instance_of(*schema, prompt, o));
            if (prompt.find("```json") != std::string::npos)
                content = "Here is the result:\n```json\n" + content + "\n```";
        }
        else {
            content = "Hello from the mock endpoint.";
        }
        have_content = true;
    }

    std::string finish = calls.empty() ? "stop" : "tool_calls";
    std::size_t out_size = content.size();
    for (auto const& c : calls)
        out_size += c.arguments.size();
    // WorkflowAI's extras on a choice: what the run cost ($0.15 / $0.60 per million tokens)
    // and its page.
    auto run_info = [&](json::object& choice) {
        if (!o.workflowai_run_info)
            return;
        auto const u = usage_openai(request_size, out_size);
        choice["cost_usd"] = (0.15 * u.at("prompt_tokens").to_number<double>() +
                              0.60 * u.at("completion_tokens").to_number<double>()) / 1e6;
        choice["duration_seconds"] = 0.001;
        choice["url"] = "https://workflowai.com/mock/agents/runs/" + std::to_string(id);
    };

    auto const* s = req.if_contains("stream");
    if (!(s && s->is_bool() && s->get_bool())) {
        json::object message{{"role", "assistant"}, {"refusal", nullptr}};
        if (have_content)
            message["content"] = content;
        else
            message["content"] = nullptr;
        if (!calls.empty()) {
            json::array tc;
            for (auto const& c : calls)
                tc.push_back(json::object{{"id", c.id},
                                          {"type", "function"},
                                          {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
            message["tool_calls"] = std::move(tc);
        }
        auto body = chat_completion(std::move(message), finish);
        body["id"] = "chatcmpl-mock-" + std::to_string(id);
        body["model"] = model;
        body["usage"] = usage_openai(request_size, out_size, req.contains("reasoning_effort"));
        run_info(body["choices"].as_array()[0].as_object());
        return mock_reply::json(json::serialize(body));
    }

    std::vector<std::string> events;
    auto chunk = [&](json::object delta, json::value finish_reason) {
        json::object choice{
            {"index", 0}, {"delta", std::move(delta)}, {"finish_reason", finish_reason}};
        if (!finish_reason.is_null())
            run_info(choice);
        json::object c{{"id", "chatcmpl-mock-" + std::to_string(id)},
                       {"object", "chat.completion.chunk"},
                       {"created", 1700000000},
                       {"model", model},
                       {"choices", json::array{std::move(choice)}}};
        events.push_back(json::serialize(c));
    };
    chunk({{"role", "assistant"}, {"content", have_content ? json::value("") : json::value()}},
          nullptr);
    if (have_content) {
        for (auto const& piece : split(content, o.stream_chunk_size))
            chunk({{"content", piece}}, nullptr);
    }
    for (std::size_t i = 0; i < calls.size(); ++i) {
        auto const idx = static_cast<std::int64_t>(i);
        chunk({{"tool_calls", json::array{json::object{
                                  {"index", idx},
                                  {"id", calls[i].id},
                                  {"type", "function"},
                                  {"function", {{"name", calls[i].name}, {"arguments", ""}}}}}}},
              nullptr);
        for (auto const& piece : split(calls[i].arguments, o.stream_chunk_size))
            chunk({{"tool_calls",
                    json::array{json::object{{"index", idx}, {"function", {{"arguments", piece}}}}}}},
                  nullptr);
    }
    chunk({}, json::value(finish));
    if (auto const* so = object_at(req, "stream_options")) {
        auto const* iu = so->if_contains("include_usage");
        if (iu && iu->is_bool() && iu->get_bool())
            events.push_back(json::serialize(json::object{
                {"id", "chatcmpl-mock-" + std::to_string(id)},
                {"object", "chat.completion.chunk"},
                {"created", 1700000000},
                {"model", model},
                {"choices", json::array{}},
                {"usage", usage_openai(request_size, out_size, req.contains("reasoning_effort"))}}));
    }
    return mock_reply::sse(events, true);
}

// ---- Anthropic messages --------------------------------------------------------------------------

mock_reply anthropic_answer(json::object const& req, std::size_t request_size,
                            mock_options const& o)
{
    std::string const prompt = texts(req, "user");
    std::string const model = req.contains("model") ? str_at(req, "model") : "mock-model";
    unsigned const id = next_id++;
    json::array blocks;            // the reply's content blocks
    std::vector<std::string> texts_of_blocks;  // what each block streams (input JSON or text)
    std::string stop = "end_turn";

    auto const* tools = req.if_contains("tools");
    if (tools && tools->is_array() && !tools->get_array().empty()) {
        // A forced tool is called once; with tool_choice any or auto, every tool is.
        std::string chosen;
        if (auto const* tc = object_at(req, "tool_choice"))
            chosen = str_at(*tc, "name");
        for (auto const& t : tools->get_array()) {
            auto const* tool = t.if_object();
            if (!tool || (!chosen.empty() && str_at(*tool, "name") != chosen))
                continue;
            json::object schema;
            if (auto const* s = object_at(*tool, "input_schema"))
                schema = *s;
            auto input = instance_of(schema, prompt, o);
            texts_of_blocks.push_back(json::serialize(input));
            blocks.push_back(json::object{
                {"type", "tool_use"},
                {"id", "toolu_mock_" + std::to_string(id) + "_" + std::to_string(blocks.size())},
                {"name", str_at(*tool, "name")},
                {"input", std::move(input)}});
            if (!chosen.empty())
                break;
        }
        stop = "tool_use";
    }
    else {
        std::optional<json::object> schema;
        // Structured outputs: `output_config.format` (what the SDKs send now), or the beta's
        // earlier `output_format`.
        json::object const* format = nullptr;
        if (auto const* oc = object_at(req, "output_config"))
            format = object_at(*oc, "format");
        if (!format)
            format = object_at(req, "output_format");
        if (format)
            if (auto const* s = object_at(*format, "schema"))
                schema = *s;
        if (!schema) {
            auto const* sys = req.if_contains("system");
            if (sys)
                schema = schema_in_text(text_of(*sys));
        }
        if (!schema)
            schema = schema_in_text(prompt);
        auto output = schema ? json::serialize(instance_of(*schema, prompt, o))
                             : std::string("Hello from the mock endpoint.");
        blocks.push_back(json::object{{"type", "text"}, {"text", output}});
        texts_of_blocks.push_back(std::move(output));
    }
    // Extended thinking asked for: a thinking block first, signed (what a re-ask must send back).
    if (auto const* th = object_at(req, "thinking"); th && str_at(*th, "type") == "enabled") {
        std::string thought = "The user asks to extract from: " + prompt.substr(0, 80);
        blocks.insert(blocks.begin(),
                      json::object{{"type", "thinking"},
                                   {"thinking", thought},
                                   {"signature", "mock-signature-" + std::to_string(id)}});
        texts_of_blocks.insert(texts_of_blocks.begin(), std::move(thought));
    }
    std::size_t out_size = 0;
    for (auto const& t : texts_of_blocks)
        out_size += t.size();
    auto in = static_cast<std::int64_t>(request_size / 4 + 1);
    auto out = static_cast<std::int64_t>(out_size / 4 + 1);
    std::string msg_id = "msg_mock_" + std::to_string(id);

    auto const* s = req.if_contains("stream");
    if (!(s && s->is_bool() && s->get_bool())) {
        return mock_reply::json(json::serialize(json::object{
            {"id", msg_id},
            {"type", "message"},
            {"role", "assistant"},
            {"model", model},
            {"content", blocks},
            {"stop_reason", stop},
            {"stop_sequence", nullptr},
            {"usage", {{"input_tokens", in}, {"output_tokens", out}}}}));
    }

    mock_reply r;
    r.content_type = "text/event-stream";
    r.chunk_size = 64;
    auto event = [&](std::string_view name, json::object data) {
        data["type"] = name;
        r.body += "event: " + std::string(name) + "\ndata: " + json::serialize(data) + "\n\n";
    };
    event("message_start",
          {{"message", {{"id", msg_id},
                        {"type", "message"},
                        {"role", "assistant"},
                        {"model", model},
                        {"content", json::array{}},
                        {"stop_reason", nullptr},
                        {"stop_sequence", nullptr},
                        {"usage", {{"input_tokens", in}, {"output_tokens", 1}}}}}});
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        auto const index = static_cast<std::int64_t>(b);
        auto const type = blocks[b].at("type").as_string();
        bool const tool = type == "tool_use";
        bool const thought = type == "thinking";
        json::object start = blocks[b].as_object();
        if (tool)
            start["input"] = json::object{};
        else if (thought)
            start["thinking"] = "", start["signature"] = "";
        else
            start["text"] = "";
        event("content_block_start", {{"index", index}, {"content_block", std::move(start)}});
        if (b == 0)
            event("ping", {});
        for (auto const& piece : split(texts_of_blocks[b], o.stream_chunk_size))
            event("content_block_delta",
                  {{"index", index},
                   {"delta", tool      ? json::object{{"type", "input_json_delta"}, {"partial_json", piece}}
                             : thought ? json::object{{"type", "thinking_delta"}, {"thinking", piece}}
                                       : json::object{{"type", "text_delta"}, {"text", piece}}}});
        if (thought)
            event("content_block_delta",
                  {{"index", index},
                   {"delta", {{"type", "signature_delta"},
                              {"signature", blocks[b].at("signature")}}}});
        event("content_block_stop", {{"index", index}});
    }
    event("message_delta", {{"delta", {{"stop_reason", stop}, {"stop_sequence", nullptr}}},
                            {"usage", {{"output_tokens", out}}}});
    event("message_stop", {});
    return r;
}

// ---- OpenAI Responses API ------------------------------------------------------------------------

mock_reply responses_answer(json::object const& req, mock_options const& o)
{
    std::string const prompt = texts(req, "user", "input");
    unsigned const id = next_id++;
    json::array output;
    auto const* tools = req.if_contains("tools");
    if (tools && tools->is_array() && !tools->get_array().empty()) {
        std::string chosen;
        if (auto const* tc = object_at(req, "tool_choice"))
            chosen = str_at(*tc, "name");
        for (auto const& [name, schema] : asked_functions(tools->get_array(), chosen, false)) {
            auto const n = std::to_string(id) + "_" + std::to_string(output.size());
            output.push_back(json::object{{"type", "function_call"},
                                          {"id", "fc_mock_" + n},
                                          {"call_id", "call_mock_" + n},
                                          {"name", name},
                                          {"arguments", json::serialize(instance_of(schema, prompt, o))},
                                          {"status", "completed"}});
        }
    }
    else {
        std::optional<json::object> schema;
        if (auto const* text = object_at(req, "text"))
            if (auto const* format = object_at(*text, "format"))
                if (auto const* s = object_at(*format, "schema"))
                    schema = *s;
        if (!schema)
            schema = schema_in_text(texts(req, "system", "input") + texts(req, "developer", "input"));
        if (!schema)
            schema = schema_in_text(prompt);
        std::string const text = schema ? json::serialize(instance_of(*schema, prompt, o))
                                        : std::string("Hello from the mock endpoint.");
        output.push_back(json::object{
            {"type", "message"},
            {"id", "msg_mock_" + std::to_string(id)},
            {"status", "completed"},
            {"role", "assistant"},
            {"content", json::array{json::object{
                            {"type", "output_text"}, {"text", text}, {"annotations", json::array{}}}}}});
    }
    bool const reasoning = object_at(req, "reasoning") != nullptr;
    if (reasoning)  // a reasoning model: a reasoning item with its summary comes first
        output.insert(output.begin(),
                      json::object{{"type", "reasoning"},
                                   {"id", "rs_mock_" + std::to_string(id)},
                                   {"summary", json::array{json::object{
                                                   {"type", "summary_text"},
                                                   {"text", "Reading: " + prompt.substr(0, 60)}}}}});
    auto response = response_object(std::move(output));
    if (req.contains("model"))
        response["model"] = req.at("model");
    if (auto* u = response.if_contains("usage"); reasoning && u && u->is_object())
        u->get_object()["output_tokens_details"] = json::object{{"reasoning_tokens", 12}};
    auto const* s = req.if_contains("stream");
    if (s && s->is_bool() && s->get_bool())
        return mock_reply::response_stream(std::move(response), o.stream_chunk_size);
    return mock_reply::json(json::serialize(response));
}

// ---- Gemini generateContent ---------------------------------------------------------------------

/// The text of the user's turns (`contents` with their `parts`), joined.
std::string genai_prompt(json::object const& req)
{
    std::string out;
    if (auto const* contents = array_at(req, "contents"))
        for (auto const& c : *contents)
            if (auto const* turn = c.if_object(); turn && str_at(*turn, "role") != "model")
                if (auto const* parts = turn->if_contains("parts")) {
                    if (!out.empty())
                        out += "\n";
                    out += text_of(*parts);
                }
    return out;
}

/// Gemini's Schema names its types in capitals (OBJECT, STRING) where JSON Schema has them in
/// small letters: the SDKs send either.
void lower_types(json::value& v)
{
    if (auto* a = v.if_array())
        for (auto& e : *a)
            lower_types(e);
    auto* o = v.if_object();
    if (!o)
        return;
    for (auto& kv : *o)
        if (kv.key() == "type" && kv.value().is_string()) {
            std::string t(kv.value().get_string());
            for (auto& c : t)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            kv.value() = t;
        }
        else
            lower_types(kv.value());
}

/// A GenerateContentResponse: a functionCall part per function asked for (all of them when
/// several are allowed), else the JSON of `responseJsonSchema` as text; a thought part first
/// when thoughts are asked for, and the function call signed as thinking models sign it.
/// Streamed (`stream`): the text in pieces, a call whole, the finishReason and usage last.
mock_reply genai_answer(json::object const& req, std::size_t request_size, bool stream,
                        mock_options const& o)
{
    std::string const prompt = genai_prompt(req);
    unsigned const id = next_id++;
    json::object const* gen = object_at(req, "generationConfig");
    json::object const* thinking = gen ? object_at(*gen, "thinkingConfig") : nullptr;
    bool const thoughts = thinking && thinking->contains("includeThoughts");
    json::array parts;
    std::string thought;
    if (thoughts) {
        thought = "Reading: " + prompt.substr(0, 60);
        parts.push_back(json::object{{"text", thought}, {"thought", true}});
    }
    std::vector<std::string> allowed;
    if (auto const* tc = object_at(req, "toolConfig"))
        if (auto const* fc = object_at(*tc, "functionCallingConfig"))
            if (auto const* names = array_at(*fc, "allowedFunctionNames"))
                for (auto const& n : *names)
                    if (n.is_string())
                        allowed.emplace_back(n.get_string());
    std::string text;
    if (auto const* tools = array_at(req, "tools"); tools && !tools->empty()) {
        for (auto const& t : *tools) {
            auto const* decls = t.is_object() ? array_at(t.get_object(), "functionDeclarations")
                                              : nullptr;
            if (!decls)
                continue;
            for (auto const& d : *decls) {
                auto const* f = d.if_object();
                if (!f)
                    continue;
                auto const name = str_at(*f, "name");
                if (!allowed.empty() &&
                    std::find(allowed.begin(), allowed.end(), name) == allowed.end())
                    continue;
                json::value schema = json::object{};
                if (auto const* p = object_at(*f, "parameters"))
                    schema = *p;
                else if (auto const* pj = object_at(*f, "parametersJsonSchema"))
                    schema = *pj;
                lower_types(schema);
                json::object part{{"functionCall", {{"name", name},
                                                    {"args", instance_of(schema.get_object(), prompt, o)}}}};
                if (thoughts)
                    part["thoughtSignature"] = "mock-signature-" + std::to_string(id);
                parts.push_back(std::move(part));
            }
        }
    }
    else {
        std::optional<json::object> schema;
        if (auto const* s = gen ? object_at(*gen, "responseJsonSchema") : nullptr)
            schema = *s;
        else if (auto const* s2 = gen ? object_at(*gen, "responseSchema") : nullptr) {
            json::value lowered = *s2;
            lower_types(lowered);
            schema = lowered.get_object();
        }
        text = schema ? json::serialize(instance_of(*schema, prompt, o))
                      : std::string("Hello from the mock endpoint.");
    }
    auto const in = static_cast<std::int64_t>(request_size / 4 + 1);
    std::size_t out_size = text.size();
    for (auto const& p : parts)
        out_size += json::serialize(p).size();
    auto const out = static_cast<std::int64_t>(out_size / 4 + 1);
    auto const thought_tokens = static_cast<std::int64_t>(thoughts ? thought.size() / 4 + 1 : 0);
    json::object usage{{"promptTokenCount", in},
                       {"candidatesTokenCount", out},
                       {"totalTokenCount", in + out + thought_tokens}};
    if (thoughts)
        usage["thoughtsTokenCount"] = thought_tokens;
    auto response = [&](json::array ps, bool last) {
        json::object candidate{{"content", {{"role", "model"}, {"parts", std::move(ps)}}},
                               {"index", 0}};
        if (last)
            candidate["finishReason"] = "STOP";
        json::object r{{"candidates", {std::move(candidate)}},
                       {"modelVersion", "mock-gemini"},
                       {"responseId", "mock-" + std::to_string(id)}};
        if (last)
            r["usageMetadata"] = usage;
        return r;
    };
    if (!stream) {
        if (!text.empty())
            parts.push_back(json::object{{"text", text}});
        return mock_reply::json(json::serialize(response(std::move(parts), true)));
    }
    std::vector<std::string> events;
    for (auto const& p : parts)
        if (p.get_object().contains("thought"))  // thoughts stream in pieces too
            for (auto const& piece : split(thought, o.stream_chunk_size))
                events.push_back(json::serialize(
                    response({json::object{{"text", piece}, {"thought", true}}}, false)));
        else
            events.push_back(json::serialize(response({p}, false)));
    for (auto const& piece : split(text, o.stream_chunk_size))
        events.push_back(json::serialize(response({json::object{{"text", piece}}}, false)));
    events.push_back(json::serialize(response({}, true)));  // the end: reason and usage
    return mock_reply::sse(events, false);
}

// ---- Amazon Bedrock Converse ---------------------------------------------------------------------

/// A Converse response: a toolUse block per tool asked for (the forced one, else all), else the
/// JSON of a schema found in the system prompt as text; a signed reasoning block first when
/// thinking is asked for. Streamed (`stream`): event-stream frames as converse-stream sends
/// them, the text, reasoning and tool input in pieces, messageStop then metadata (usage).
mock_reply bedrock_answer(json::object const& req, std::size_t request_size, bool stream,
                          mock_options const& o)
{
    std::string const prompt = texts(req, "user");
    unsigned const id = next_id++;
    json::array blocks;
    std::vector<std::string> streamed;  // what each block streams (text, input JSON, reasoning)
    std::string stop = "end_turn";
    std::string const signature = "mock-signature-" + std::to_string(id);
    if (auto const* extra = object_at(req, "additionalModelRequestFields"))
        if (auto const* th = object_at(*extra, "thinking"); th && str_at(*th, "type") == "enabled") {
            std::string thought = "The user asks to extract from: " + prompt.substr(0, 80);
            blocks.push_back(json::object{
                {"reasoningContent",
                 {{"reasoningText", {{"text", thought}, {"signature", signature}}}}}});
            streamed.push_back(std::move(thought));
        }
    json::array const* tools = nullptr;
    std::string chosen;
    if (auto const* tc = object_at(req, "toolConfig")) {
        tools = array_at(*tc, "tools");
        if (auto const* choice = object_at(*tc, "toolChoice"))
            if (auto const* forced = object_at(*choice, "tool"))
                chosen = str_at(*forced, "name");
    }
    if (tools && !tools->empty()) {
        for (auto const& t : *tools) {
            auto const* spec = t.is_object() ? object_at(t.get_object(), "toolSpec") : nullptr;
            if (!spec || (!chosen.empty() && str_at(*spec, "name") != chosen))
                continue;
            json::object schema;
            if (auto const* in = object_at(*spec, "inputSchema"))
                if (auto const* js = object_at(*in, "json"))
                    schema = *js;
            auto input = instance_of(schema, prompt, o);
            streamed.push_back(json::serialize(input));
            blocks.push_back(json::object{
                {"toolUse",
                 {{"toolUseId", "tooluse_mock_" + std::to_string(id) + "_" +
                                    std::to_string(blocks.size())},
                  {"name", str_at(*spec, "name")},
                  {"input", std::move(input)}}}});
        }
        stop = "tool_use";
    }
    else {
        std::optional<json::object> schema;
        if (auto const* sys = req.if_contains("system"))
            schema = schema_in_text(text_of(*sys));
        if (!schema)
            schema = schema_in_text(prompt);
        auto text = schema ? json::serialize(instance_of(*schema, prompt, o))
                           : std::string("Hello from the mock endpoint.");
        blocks.push_back(json::object{{"text", text}});
        streamed.push_back(std::move(text));
    }
    std::size_t out_size = 0;
    for (auto const& t : streamed)
        out_size += t.size();
    auto const in = static_cast<std::int64_t>(request_size / 4 + 1);
    auto const out = static_cast<std::int64_t>(out_size / 4 + 1);
    json::object usage{{"inputTokens", in}, {"outputTokens", out}, {"totalTokens", in + out}};
    if (!stream)
        return mock_reply::json(json::serialize(json::object{
            {"output", {{"message", {{"role", "assistant"}, {"content", std::move(blocks)}}}}},
            {"stopReason", stop},
            {"usage", std::move(usage)},
            {"metrics", {{"latencyMs", 1}}}}));

    mock_reply r;
    r.content_type = "application/vnd.amazon.eventstream";
    r.chunk_size = 64;
    // Bedrock pads events with a "p" field of letters (so sizes tell nothing): some here too.
    auto event = [&](std::string_view type, json::object data) {
        data["p"] = std::string(1 + r.body.size() % 7, 'x');
        r.body += detail::encode_event(type, json::serialize(data));
    };
    event("messageStart", {{"role", "assistant"}});
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        auto const index = static_cast<std::int64_t>(b);
        auto const& block = blocks[b].get_object();
        if (auto const* use = object_at(block, "toolUse"))
            event("contentBlockStart",
                  {{"contentBlockIndex", index},
                   {"start", {{"toolUse", {{"toolUseId", use->at("toolUseId")},
                                           {"name", use->at("name")}}}}}});
        bool const tool = block.contains("toolUse");
        bool const thought = block.contains("reasoningContent");
        for (auto const& piece : split(streamed[b], o.stream_chunk_size))
            event("contentBlockDelta",
                  {{"contentBlockIndex", index},
                   {"delta", tool      ? json::object{{"toolUse", {{"input", piece}}}}
                             : thought ? json::object{{"reasoningContent", {{"text", piece}}}}
                                       : json::object{{"text", piece}}}});
        if (thought)
            event("contentBlockDelta",
                  {{"contentBlockIndex", index},
                   {"delta", {{"reasoningContent", {{"signature", signature}}}}}});
        event("contentBlockStop", {{"contentBlockIndex", index}});
    }
    event("messageStop", {{"stopReason", stop}});
    event("metadata", {{"usage", std::move(usage)}, {"metrics", {{"latencyMs", 1}}}});
    return r;
}

}  // namespace

bool anthropic_path(std::string_view target)
{
    auto const path = target.substr(0, target.find('?'));
    return path.ends_with("/messages") || path.find("/messages/batches") != std::string_view::npos;
}

bool bedrock_path(std::string_view target)
{
    auto const path = target.substr(0, target.find('?'));
    return path.find("/model/") != std::string_view::npos &&
           (path.ends_with("/converse") || path.ends_with("/converse-stream"));
}

mock_reply error_for(std::string_view target, unsigned status, std::string message,
                     std::vector<net::header> headers)
{
    if (bedrock_path(target)) {  // AWS names the error in a header, the body holds its message
        auto r = mock_reply::aws_error(status,
                               status == 429   ? "ThrottlingException"
                               : status == 400 ? "ValidationException"
                               : status >= 500 ? "ServiceUnavailableException"
                                               : "AccessDeniedException",
                               message);
        r.headers.insert(r.headers.end(), headers.begin(), headers.end());
        return r;
    }
    return anthropic_path(target) ? mock_reply::anthropic_error(status, std::move(message),
                                                                std::move(headers))
                                  : mock_reply::error(status, std::move(message), std::move(headers));
}

std::optional<mock_reply> azure_refusal(std::string_view target, bool has_api_key,
                                        bool has_authorization)
{
    auto const path = target.substr(0, target.find('?'));
    if (!path.starts_with("/openai/"))
        return std::nullopt;
    auto refusal = [](unsigned status, std::string_view message) {  // Azure's error body
        mock_reply r;
        r.status = status;
        r.body = json::serialize(json::object{
            {"error", {{"code", std::to_string(status)}, {"message", message}}}});
        return r;
    };
    if (!has_api_key && !has_authorization)
        return refusal(401, "Access denied due to invalid subscription key or wrong API "
                            "endpoint. Make sure to provide a valid key for an active "
                            "subscription and use a correct regional API endpoint for your "
                            "resource.");
    auto const query = target.size() > path.size() ? target.substr(path.size() + 1) : "";
    bool versioned = query.starts_with("api-version=") ||
                     query.find("&api-version=") != std::string_view::npos;
    if (path.starts_with("/openai/deployments/") && !versioned)
        return refusal(404, "Resource not found");
    return std::nullopt;
}

mock_reply default_answer(std::string_view target, std::string_view body, mock_options const& o)
{
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object())
        return error_for(target, 400, "The request body is not a JSON object.");
    auto path = target.substr(0, target.find('?'));
    auto ends_with = [&](std::string_view s) {
        return path.size() >= s.size() && path.substr(path.size() - s.size()) == s;
    };
    if (ends_with("/chat/completions"))
        return openai_answer(v.get_object(), body.size(), o);
    if (ends_with("/messages"))
        return anthropic_answer(v.get_object(), body.size(), o);
    if (ends_with("/responses"))
        return responses_answer(v.get_object(), o);
    if (ends_with(":generateContent") || ends_with(":streamGenerateContent"))
        return genai_answer(v.get_object(), body.size(), ends_with(":streamGenerateContent"), o);
    if (bedrock_path(target))
        return bedrock_answer(v.get_object(), body.size(), ends_with("/converse-stream"), o);
    return mock_reply::error(404, "Unknown path " + std::string(path));
}

std::vector<mock_fault> const& all_mock_faults()
{
    static std::vector<mock_fault> const all{
        mock_fault::rate_limited, mock_fault::server_error,   mock_fault::cut,
        mock_fault::drip,         mock_fault::invalid_json,   mock_fault::schema_invalid,
        mock_fault::oversized,    mock_fault::close_without_response};
    return all;
}

std::string_view to_string(mock_fault f) noexcept
{
    switch (f) {
    case mock_fault::rate_limited: return "429";
    case mock_fault::server_error: return "500";
    case mock_fault::cut: return "cut";
    case mock_fault::drip: return "drip";
    case mock_fault::invalid_json: return "invalid-json";
    case mock_fault::schema_invalid: return "schema-invalid";
    case mock_fault::oversized: return "oversized";
    case mock_fault::close_without_response: return "close";
    }
    return "?";
}

std::optional<mock_fault> mock_fault_from_string(std::string_view name) noexcept
{
    for (auto f : all_mock_faults())
        if (to_string(f) == name)
            return f;
    return std::nullopt;
}

namespace {

/// The request with every schema it carries emptied (and its system prompts, where json modes
/// write the schema): the default answer to it is `{}` or prose, which no model validates.
std::string without_schemas(std::string_view body)
{
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object())
        return std::string(body);
    auto& req = v.get_object();
    json::object const empty{{"type", "object"}, {"properties", json::object{}}};
    auto blank = [&](json::object* o, std::string_view key) {
        if (o && o->contains(key))
            (*o)[key] = empty;
    };
    if (auto* tools = req.if_contains("tools"); tools && tools->is_array())
        for (auto& t : tools->get_array())
            if (auto* to = t.if_object()) {
                blank(to, "parameters");
                blank(to, "input_schema");
                if (auto* f = to->if_contains("function"))
                    blank(f->if_object(), "parameters");
            }
    for (auto const* key : {"response_format", "text", "output_format", "output_config"})
        if (auto* o = req.if_contains(key); o && o->is_object()) {
            blank(o->if_object(), "schema");
            for (auto const* inner : {"json_schema", "format"})
                if (auto* i = o->get_object().if_contains(inner))
                    blank(i->if_object(), "schema");
        }
    if (req.contains("system"))
        req["system"] = "";
    for (auto const* list : {"messages", "input"})
        if (auto* msgs = req.if_contains(list); msgs && msgs->is_array())
            for (auto& m : msgs->get_array())
                if (auto* mo = m.if_object(); mo && mo->contains("role") && mo->at("role") == "system")
                    (*mo)["content"] = "";
    return json::serialize(v);
}

bool asks_to_stream(std::string_view body)
{
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    auto const* s = !ec && v.is_object() ? v.get_object().if_contains("stream") : nullptr;
    return s && s->is_bool() && s->get_bool();
}

}  // namespace

mock_reply faulted_answer(mock_fault f, std::string_view target, std::string_view body,
                          mock_options const& o)
{
    switch (f) {
    case mock_fault::rate_limited:
        return error_for(target, 429, "Rate limit reached (mock fault)", {{"retry-after-ms", "10"}});
    case mock_fault::server_error:  // Anthropic's overload is 529
        return error_for(target, anthropic_path(target) ? 529 : 503,
                         "The server is overloaded (mock fault)", {{"retry-after-ms", "10"}});
    case mock_fault::cut: {
        auto r = default_answer(target, body, o);
        r.close_after_bytes = r.body.size() / 2;
        return r;
    }
    case mock_fault::drip: {
        auto r = default_answer(target, body, o);
        r.chunk_size = 16;
        r.chunk_delay = std::chrono::milliseconds(1);
        return r;
    }
    case mock_fault::invalid_json:
        if (bedrock_path(target) && target.find("/converse-stream") != std::string_view::npos) {
            auto r = default_answer(target, body, o);
            r.body[r.body.size() / 2] = static_cast<char>(r.body[r.body.size() / 2] ^ 0x20);
            return r;
        }
        if (asks_to_stream(body)) {
            auto r = default_answer(target, body, o);
            auto const cut = r.body.find("data:", r.body.size() / 2);
            if (cut != std::string::npos)
                r.body.insert(cut + 5, " {not json}\n\ndata:");
            return r;
        }
        return mock_reply::json("{\"choices\": [ this is not json");
    case mock_fault::schema_invalid:
        return default_answer(target, without_schemas(body), o);
    case mock_fault::oversized:
        return mock_reply::oversized(o.oversized_bytes);
    case mock_fault::close_without_response: {
        mock_reply r;
        r.close_without_response = true;
        return r;
    }
    }
    return default_answer(target, body, o);
}

}  // namespace instructor::testing
