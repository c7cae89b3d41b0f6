// The words of an OpenAI-compatible error body: OpenAI's `{"error": {"message"}}`, OpenRouter's
// upstream text in `error.metadata.raw`, and the shapes compatible servers use instead
// (`{"error": "..."}` from Ollama, `{"message"}`, `{"detail"}` from FastAPI servers such as vLLM).
#include "protocol/openai_chat/openai_chat.hpp"

#include <boost/json/parse.hpp>

namespace instructor::detail {

namespace {

namespace json = boost::json;

std::string message_in(json::value const& v, int depth)
{
    if (!v.is_object() || depth > 4)
        return {};
    auto const& o = v.get_object();
    for (char const* key : {"error", "message", "detail"}) {
        auto const* m = o.if_contains(key);
        if (!m)
            continue;
        if (m->is_string())
            return std::string(m->get_string());
        if (m->is_object()) {
            auto inner = message_in(*m, depth + 1);
            // OpenRouter wraps the upstream provider's words in metadata.raw
            auto const* meta = m->get_object().if_contains("metadata");
            auto const* raw = meta && meta->is_object() ? meta->get_object().if_contains("raw")
                                                        : nullptr;
            if (raw && raw->is_string())
                inner += (inner.empty() ? "" : ": ") + std::string(raw->get_string());
            if (!inner.empty())
                return inner;
        }
    }
    return {};
}

}  // namespace

std::string openai_error_message(std::string_view body)
{
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    return ec ? std::string() : message_in(v, 0);
}

}  // namespace instructor::detail
