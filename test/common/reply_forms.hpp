// One answer text in the two forms a reply can take, for every API and mode: a whole response
// body and a stream of it (server-sent events, or Bedrock's event-stream frames) in pieces of a
// chosen size. The differential tests
// feed both to the call core and require one meaning.
#pragma once

#include <instructor/mode.hpp>

#include "protocol/bedrock/event_stream.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ins = instructor;

namespace reply_forms {

namespace json = boost::json;

struct forms {
    std::string whole;   ///< the response body
    std::string stream;  ///< the streamed body (SSE, or Bedrock's event-stream frames)
};

/// `text` in pieces of about `n` bytes, never splitting a UTF-8 sequence (an API sends valid
/// JSON strings in each event).
inline std::vector<std::string> pieces(std::string_view text, std::size_t n)
{
    std::vector<std::string> out;
    n = std::max<std::size_t>(n, 1);
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = std::min(text.size(), at + n);
        while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80)
            ++end;
        out.emplace_back(text.substr(at, end - at));
        at = end;
    }
    return out;
}

inline std::string event(std::string_view name, json::object data)
{
    std::string e;
    if (!name.empty()) {
        data["type"] = name;
        e += "event: " + std::string(name) + "\n";
    }
    return e + "data: " + json::serialize(data) + "\n\n";
}

inline json::object usage_chat() { return {{"prompt_tokens", 10}, {"completion_tokens", 5}, {"total_tokens", 15}}; }

inline forms chat(bool tool, std::string const& name, std::string const& text, std::size_t n)
{
    json::object message{{"role", "assistant"}, {"refusal", nullptr}};
    if (tool) {
        message["content"] = nullptr;
        message["tool_calls"] = json::array{json::object{
            {"id", "call_1"}, {"type", "function"}, {"function", {{"name", name}, {"arguments", text}}}}};
    }
    else {
        message["content"] = text;
    }
    std::string const finish = tool ? "tool_calls" : "stop";
    json::object whole{{"id", "chatcmpl-1"}, {"object", "chat.completion"}, {"created", 1},
                       {"model", "m"},
                       {"choices", json::array{json::object{{"index", 0}, {"message", message},
                                                            {"finish_reason", finish}}}},
                       {"usage", usage_chat()}};
    auto chunk = [](json::object delta, json::value finish_reason) {
        return json::object{{"id", "chatcmpl-1"}, {"object", "chat.completion.chunk"},
                            {"created", 1}, {"model", "m"},
                            {"choices", json::array{json::object{{"index", 0}, {"delta", std::move(delta)},
                                                                 {"finish_reason", finish_reason}}}}};
    };
    std::string s;
    if (tool)
        s += event({}, chunk({{"role", "assistant"},
                              {"tool_calls", json::array{json::object{
                                                 {"index", 0}, {"id", "call_1"}, {"type", "function"},
                                                 {"function", {{"name", name}, {"arguments", ""}}}}}}},
                             nullptr));
    else
        s += event({}, chunk({{"role", "assistant"}, {"content", ""}}, nullptr));
    for (auto const& p : pieces(text, n))
        s += event({}, tool ? chunk({{"tool_calls", json::array{json::object{
                                                        {"index", 0}, {"function", {{"arguments", p}}}}}}},
                                    nullptr)
                            : chunk({{"content", p}}, nullptr));
    s += event({}, chunk({}, json::string(finish)));
    auto last = chunk({}, nullptr);
    last["choices"] = json::array{};
    last["usage"] = usage_chat();
    s += event({}, last);
    s += "data: [DONE]\n\n";
    return {json::serialize(whole), s};
}

/// Anthropic's tool_use input is a JSON object in a whole reply: none for a text that is not one.
inline std::optional<forms> anthropic(bool tool, std::string const& name, std::string const& text,
                                      std::size_t n)
{
    json::object block;
    if (tool) {
        boost::system::error_code ec;
        auto input = json::parse(text, ec);
        if (ec || !input.is_object())
            return std::nullopt;
        block = {{"type", "tool_use"}, {"id", "toolu_1"}, {"name", name}, {"input", input}};
    }
    else {
        block = {{"type", "text"}, {"text", text}};
    }
    std::string const stop = tool ? "tool_use" : "end_turn";
    json::object usage{{"input_tokens", 10}, {"output_tokens", 5}};
    json::object whole{{"id", "msg_1"}, {"type", "message"}, {"role", "assistant"}, {"model", "m"},
                       {"content", json::array{block}}, {"stop_reason", stop},
                       {"stop_sequence", nullptr}, {"usage", usage}};
    std::string s = event("message_start",
                          {{"message", {{"id", "msg_1"}, {"type", "message"}, {"role", "assistant"},
                                        {"model", "m"}, {"content", json::array{}},
                                        {"stop_reason", nullptr}, {"stop_sequence", nullptr},
                                        {"usage", {{"input_tokens", 10}, {"output_tokens", 1}}}}}});
    json::object start = block;
    if (tool)
        start["input"] = json::object{};
    else
        start["text"] = "";
    s += event("content_block_start", {{"index", 0}, {"content_block", start}});
    for (auto const& p : pieces(text, n))
        s += event("content_block_delta",
                   {{"index", 0},
                    {"delta", tool ? json::object{{"type", "input_json_delta"}, {"partial_json", p}}
                                   : json::object{{"type", "text_delta"}, {"text", p}}}});
    s += event("content_block_stop", {{"index", 0}});
    s += event("message_delta", {{"delta", {{"stop_reason", stop}, {"stop_sequence", nullptr}}},
                                 {"usage", {{"output_tokens", 5}}}});
    s += event("message_stop", {});
    return forms{json::serialize(whole), s};
}

inline forms responses(bool tool, std::string const& name, std::string const& text, std::size_t n)
{
    json::object item;
    if (tool)
        item = {{"type", "function_call"}, {"id", "fc_1"}, {"call_id", "call_1"}, {"name", name},
                {"arguments", text}, {"status", "completed"}};
    else
        item = {{"type", "message"}, {"id", "msg_1"}, {"status", "completed"}, {"role", "assistant"},
                {"content", json::array{json::object{{"type", "output_text"}, {"text", text},
                                                     {"annotations", json::array{}}}}}};
    json::object whole{{"id", "resp_1"}, {"object", "response"}, {"created_at", 1},
                       {"status", "completed"}, {"model", "m"}, {"output", json::array{item}},
                       {"usage", {{"input_tokens", 10}, {"output_tokens", 5}, {"total_tokens", 15}}},
                       {"incomplete_details", nullptr}, {"error", nullptr}};
    json::object start = whole;
    start["status"] = "in_progress";
    start["output"] = json::array{};
    start["usage"] = nullptr;
    std::string s = event("response.created", {{"response", start}});
    json::object added = item;
    if (tool) {
        added["arguments"] = "";
        added["status"] = "in_progress";
    }
    else {
        added["content"] = json::array{};
        added["status"] = "in_progress";
    }
    s += event("response.output_item.added", {{"output_index", 0}, {"item", added}});
    for (auto const& p : pieces(text, n))
        s += tool ? event("response.function_call_arguments.delta",
                          {{"item_id", "fc_1"}, {"output_index", 0}, {"delta", p}})
                  : event("response.output_text.delta", {{"item_id", "msg_1"}, {"output_index", 0},
                                                         {"content_index", 0}, {"delta", p}});
    s += event("response.output_item.done", {{"output_index", 0}, {"item", item}});
    s += event("response.completed", {{"response", whole}});
    return {json::serialize(whole), s};
}

/// Gemini: a functionCall's args are a JSON object and come whole in one chunk (none for a text
/// that is not an object); text comes in pieces; the last chunk has the finishReason and usage.
inline std::optional<forms> genai(bool tool, std::string const& name, std::string const& text,
                                  std::size_t n)
{
    auto response = [](json::array parts, bool last) {
        json::object candidate{{"content", {{"role", "model"}, {"parts", std::move(parts)}}},
                               {"index", 0}};
        if (last)
            candidate["finishReason"] = "STOP";
        json::object r{{"candidates", json::array{candidate}}};
        if (last)
            r["usageMetadata"] = json::object{
                {"promptTokenCount", 10}, {"candidatesTokenCount", 5}, {"totalTokenCount", 15}};
        return r;
    };
    json::array parts;
    std::string s;
    if (tool) {
        boost::system::error_code ec;
        auto args = json::parse(text, ec);
        if (ec || !args.is_object())
            return std::nullopt;
        parts.push_back(json::object{{"functionCall", {{"name", name}, {"args", args}}}});
        s += event("", response(parts, false));
    }
    else {
        parts.push_back(json::object{{"text", text}});
        for (auto const& p : pieces(text, n))
            s += event("", response(json::array{json::object{{"text", p}}}, false));
    }
    s += event("", response(json::array{}, true));
    return forms{json::serialize(response(parts, true)), s};
}

/// Bedrock: a toolUse input is a JSON document whole (none for a text that is not an object) and
/// string pieces of its JSON streamed; text in pieces; event-stream frames, messageStop then
/// metadata with the usage.
inline std::optional<forms> bedrock(bool tool, std::string const& name, std::string const& text,
                                    std::size_t n)
{
    namespace det = ins::detail;
    auto frame = [](std::string_view type, json::object o) {
        return det::encode_event(type, json::serialize(o));
    };
    json::object block;
    std::string s = frame("messageStart", {{"role", "assistant"}});
    if (tool) {
        boost::system::error_code ec;
        auto input = json::parse(text, ec);
        if (ec || !input.is_object())
            return std::nullopt;
        block = {{"toolUse", {{"toolUseId", "tu_1"}, {"name", name}, {"input", input}}}};
        s += frame("contentBlockStart", {{"contentBlockIndex", 0},
                                         {"start", {{"toolUse", {{"toolUseId", "tu_1"}, {"name", name}}}}}});
        for (auto const& p : pieces(json::serialize(input), n))
            s += frame("contentBlockDelta",
                       {{"contentBlockIndex", 0}, {"delta", {{"toolUse", {{"input", p}}}}}});
    }
    else {
        block = {{"text", text}};
        for (auto const& p : pieces(text, n))
            s += frame("contentBlockDelta", {{"contentBlockIndex", 0}, {"delta", {{"text", p}}}});
    }
    s += frame("contentBlockStop", {{"contentBlockIndex", 0}});
    auto const stop = tool ? "tool_use" : "end_turn";
    json::object const usage{{"inputTokens", 10}, {"outputTokens", 5}, {"totalTokens", 15}};
    s += frame("messageStop", {{"stopReason", stop}});
    s += frame("metadata", {{"usage", usage}});
    json::object whole{{"output", {{"message", {{"role", "assistant"}, {"content", json::array{block}}}}}},
                       {"stopReason", stop},
                       {"usage", usage}};
    return forms{json::serialize(whole), s};
}

/// The answer `text` (tool arguments in a tools mode, else the reply's text) as mode `m`'s API
/// sends it, whole and streamed in pieces of `n` bytes; none when the API cannot carry it.
inline std::optional<forms> of(ins::mode m, std::string const& tool_name, std::string const& text,
                               std::size_t n)
{
    bool const tool = ins::is_tools_mode(m);
    switch (m) {
    case ins::mode::anthropic_tools:
    case ins::mode::anthropic_json:
        return anthropic(tool, tool_name, text, n);
    case ins::mode::responses_tools:
    case ins::mode::responses_structured_outputs:
        return responses(tool, tool_name, text, n);
    case ins::mode::genai_tools:
    case ins::mode::genai_structured_outputs:
        return genai(tool, tool_name, text, n);
    case ins::mode::bedrock_tools:
    case ins::mode::bedrock_json:
        return bedrock(tool, tool_name, text, n);
    default:
        return chat(tool, tool_name, text, n);
    }
}

}  // namespace reply_forms
