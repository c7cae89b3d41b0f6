#include <instructor/testing/mock_reply.hpp>

#include <atomic>

#include <boost/json/serialize.hpp>

namespace instructor::testing {

namespace json = boost::json;

boost::json::object chat_completion(boost::json::object message, std::string_view finish_reason)
{
    return {{"id", "chatcmpl-mock"},
            {"object", "chat.completion"},
            {"created", 1700000000},
            {"model", "mock-model"},
            {"choices", json::array{json::object{{"index", 0},
                                                 {"message", std::move(message)},
                                                 {"logprobs", nullptr},
                                                 {"finish_reason", finish_reason}}}},
            {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 10}, {"total_tokens", 20}}}};
}

mock_reply mock_reply::json(std::string body)
{
    mock_reply r;
    r.body = std::move(body);
    return r;
}

mock_reply mock_reply::error(unsigned status, std::string message, std::vector<net::header> headers)
{
    mock_reply r;
    r.status = status;
    r.headers = std::move(headers);
    char const* type = status == 401   ? "invalid_request_error"
                       : status == 429 ? "rate_limit_exceeded"
                       : status >= 500 ? "server_error"
                                       : "invalid_request_error";
    r.body = json::serialize(json::object{
        {"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", nullptr}}}});
    return r;
}

mock_reply mock_reply::aws_error(unsigned status, std::string type, std::string message)
{
    mock_reply r;
    r.status = status;
    r.headers.push_back({"x-amzn-ErrorType", std::move(type)});
    r.body = json::serialize(json::object{{"message", std::move(message)}});
    return r;
}

mock_reply mock_reply::anthropic_error(unsigned status, std::string message,
                                       std::vector<net::header> headers)
{
    mock_reply r;
    r.status = status;
    r.headers = std::move(headers);
    char const* type = status == 401   ? "authentication_error"
                       : status == 403 ? "permission_error"
                       : status == 404 ? "not_found_error"
                       : status == 413 ? "request_too_large"
                       : status == 429 ? "rate_limit_error"
                       : status == 529 ? "overloaded_error"
                       : status >= 500 ? "api_error"
                                       : "invalid_request_error";
    r.body = json::serialize(
        json::object{{"type", "error"}, {"error", {{"type", type}, {"message", std::move(message)}}}});
    return r;
}

mock_reply mock_reply::rate_limited(std::chrono::seconds retry_after)
{
    return error(429, "Rate limit reached",
                 {{"Retry-After", std::to_string(retry_after.count())}});
}

mock_reply mock_reply::sse(std::vector<std::string> const& payloads, bool done)
{
    mock_reply r;
    r.content_type = "text/event-stream";
    for (auto const& p : payloads)
        r.body += "data: " + p + "\n\n";
    if (done)
        r.body += "data: [DONE]\n\n";
    r.chunk_size = 64;
    return r;
}

mock_reply mock_reply::oversized(std::size_t bytes)
{
    mock_reply r;
    r.body.reserve(bytes);
    r.body = "\"";
    r.body.append(bytes > 2 ? bytes - 2 : 0, 'x');
    r.body += "\"";
    return r;
}

mock_reply mock_reply::chat_content(std::string content, std::string finish_reason)
{
    return json(json::serialize(chat_completion(
        {{"role", "assistant"}, {"content", content}, {"refusal", nullptr}}, finish_reason)));
}

mock_reply mock_reply::chat_tool_call(std::string name, std::string arguments)
{
    json::object call{{"id", "call_mock_1"},
                      {"type", "function"},
                      {"function", {{"name", name}, {"arguments", arguments}}}};
    return json(json::serialize(chat_completion({{"role", "assistant"},
                                                 {"content", nullptr},
                                                 {"tool_calls", json::array{std::move(call)}}},
                                                "tool_calls")));
}

mock_reply mock_reply::chat_refusal(std::string message)
{
    return json(json::serialize(chat_completion(
        {{"role", "assistant"}, {"content", nullptr}, {"refusal", message}}, "stop")));
}

json::object response_object(json::array output, std::string_view status,
                             std::string_view incomplete_reason)
{
    static std::atomic<unsigned> next{1};
    auto const id = next++;
    std::size_t out = 0;
    for (auto const& item : output)
        out += json::serialize(item).size();
    auto const out_tokens = static_cast<std::int64_t>(out / 4 + 1);
    json::object r{{"id", "resp_mock_" + std::to_string(id)},
                   {"object", "response"},
                   {"created_at", 1700000000},
                   {"status", status},
                   {"model", "mock-model"},
                   {"output", std::move(output)},
                   {"usage", {{"input_tokens", 20},
                              {"input_tokens_details", {{"cached_tokens", 0}}},
                              {"output_tokens", out_tokens},
                              {"output_tokens_details", {{"reasoning_tokens", 0}}},
                              {"total_tokens", 20 + out_tokens}}}};
    if (!incomplete_reason.empty())
        r["incomplete_details"] = json::object{{"reason", incomplete_reason}};
    else
        r["incomplete_details"] = nullptr;
    r["error"] = nullptr;
    return r;
}

namespace {

json::object message_item(json::array content)
{
    return {{"type", "message"},
            {"id", "msg_mock"},
            {"status", "completed"},
            {"role", "assistant"},
            {"content", std::move(content)}};
}

json::object output_text(std::string text)
{
    return {{"type", "output_text"}, {"text", std::move(text)}, {"annotations", json::array{}}};
}

}  // namespace

mock_reply mock_reply::response_text(std::string text)
{
    return json(json::serialize(
        response_object(json::array{message_item(json::array{output_text(std::move(text))})})));
}

mock_reply mock_reply::response_function_call(std::string name, std::string arguments)
{
    return json(json::serialize(response_object(json::array{json::object{
        {"type", "function_call"},
        {"id", "fc_mock_1"},
        {"call_id", "call_mock_1"},
        {"name", std::move(name)},
        {"arguments", std::move(arguments)},
        {"status", "completed"}}})));
}

mock_reply mock_reply::response_incomplete(std::string reason, std::string text)
{
    json::array output;
    if (!text.empty())
        output.push_back(message_item(json::array{output_text(std::move(text))}));
    return json(json::serialize(response_object(std::move(output), "incomplete", reason)));
}

mock_reply mock_reply::response_refusal(std::string message)
{
    return json(json::serialize(response_object(json::array{message_item(
        json::array{json::object{{"type", "refusal"}, {"refusal", std::move(message)}}})})));
}

mock_reply mock_reply::response_stream(json::object response, std::size_t piece)
{
    mock_reply r;
    r.content_type = "text/event-stream";
    r.chunk_size = 64;
    piece = std::max<std::size_t>(piece, 1);
    std::int64_t seq = 0;
    auto event = [&](std::string_view type, json::object data) {
        data["type"] = type;
        data["sequence_number"] = seq++;
        r.body += "event: " + std::string(type) + "\ndata: " + json::serialize(data) + "\n\n";
    };
    json::object start = response;
    start["status"] = "in_progress";
    start["output"] = json::array{};
    start["usage"] = nullptr;
    event("response.created", {{"response", start}});
    event("response.in_progress", {{"response", std::move(start)}});
    json::array const output = response.contains("output") && response["output"].is_array()
                                   ? response["output"].get_array()
                                   : json::array{};
    // Each item as the API streams it: announced in progress and empty, then its parts (content
    // parts, summary parts) each added, filled by deltas that name the item, and closed with
    // their full text; the SDKs' stream helpers check every step.
    auto pieces = [&](std::string const& text, auto&& each) {
        for (std::size_t at = 0; at < text.size(); at += piece)
            each(text.substr(at, piece));
    };
    for (std::size_t i = 0; i < output.size(); ++i) {
        if (!output[i].is_object())
            continue;
        auto const& item = output[i].get_object();
        auto const index = static_cast<std::int64_t>(i);
        auto const type = item.contains("type") ? item.at("type") : json::value();
        json::value const item_id = item.contains("id") ? item.at("id") : json::value("item_mock");
        auto at = [&](json::object o) {
            o["item_id"] = item_id;
            o["output_index"] = index;
            return o;
        };
        json::object added = item;
        added["status"] = "in_progress";
        if (type == "function_call") {
            added["arguments"] = "";
            event("response.output_item.added", {{"output_index", index}, {"item", added}});
            auto const args = item.contains("arguments") && item.at("arguments").is_string()
                                  ? std::string(item.at("arguments").get_string())
                                  : std::string();
            pieces(args, [&](std::string d) {
                event("response.function_call_arguments.delta", at({{"delta", std::move(d)}}));
            });
            event("response.function_call_arguments.done", at({{"arguments", args}}));
        }
        else if (type == "message") {
            added["content"] = json::array{};
            event("response.output_item.added", {{"output_index", index}, {"item", added}});
            auto const* parts = item.if_contains("content");
            if (parts && parts->is_array())
                for (std::size_t c = 0; c < parts->get_array().size(); ++c) {
                    auto const* part = parts->get_array()[c].if_object();
                    if (!part)
                        continue;
                    auto const ci = static_cast<std::int64_t>(c);
                    bool const refusal = part->contains("refusal");
                    char const* const key = refusal ? "refusal" : "text";
                    auto const text = std::string(part->at(key).as_string());
                    json::object empty{{"type", refusal ? "refusal" : "output_text"}, {key, ""}};
                    if (!refusal)
                        empty["annotations"] = json::array{};
                    event("response.content_part.added",
                          at({{"content_index", ci}, {"part", std::move(empty)}}));
                    pieces(text, [&](std::string d) {
                        event(refusal ? "response.refusal.delta" : "response.output_text.delta",
                              at({{"content_index", ci}, {"delta", std::move(d)}}));
                    });
                    event(refusal ? "response.refusal.done" : "response.output_text.done",
                          at({{"content_index", ci}, {key, text}}));
                    event("response.content_part.done",
                          at({{"content_index", ci}, {"part", *part}}));
                }
        }
        else if (type == "reasoning") {
            added["summary"] = json::array{};
            event("response.output_item.added", {{"output_index", index}, {"item", added}});
            auto const* summary = item.if_contains("summary");
            if (summary && summary->is_array())
                for (std::size_t s = 0; s < summary->get_array().size(); ++s) {
                    auto const* part = summary->get_array()[s].if_object();
                    if (!part || !part->contains("text") || !part->at("text").is_string())
                        continue;
                    auto const si = static_cast<std::int64_t>(s);
                    auto const text = std::string(part->at("text").get_string());
                    event("response.reasoning_summary_part.added",
                          at({{"summary_index", si},
                              {"part", {{"type", "summary_text"}, {"text", ""}}}}));
                    pieces(text, [&](std::string d) {
                        event("response.reasoning_summary_text.delta",
                              at({{"summary_index", si}, {"delta", std::move(d)}}));
                    });
                    event("response.reasoning_summary_text.done",
                          at({{"summary_index", si}, {"text", text}}));
                    event("response.reasoning_summary_part.done",
                          at({{"summary_index", si}, {"part", *part}}));
                }
        }
        else
            event("response.output_item.added", {{"output_index", index}, {"item", added}});
        event("response.output_item.done", {{"output_index", index}, {"item", item}});
    }
    auto const status = response.contains("status") ? response.at("status") : json::value();
    event(status == "incomplete" ? "response.incomplete"
          : status == "failed"   ? "response.failed"
                                 : "response.completed",
          {{"response", std::move(response)}});
    return r;
}

}  // namespace instructor::testing
