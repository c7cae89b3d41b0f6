#include <instructor/testing/mock_reply.hpp>

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

}  // namespace instructor::testing
