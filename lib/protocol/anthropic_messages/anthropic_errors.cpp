// The words of an Anthropic error body: `{"type": "error", "error": {"type", "message"}}`.
#include "protocol/anthropic_messages/anthropic_messages.hpp"

#include <boost/json/parse.hpp>

namespace instructor::detail {

std::string anthropic_error_message(std::string_view body)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec || !v.is_object())
        return {};
    auto const* e = v.get_object().if_contains("error");
    if (!e || !e->is_object())
        return {};
    auto const* m = e->get_object().if_contains("message");
    return m && m->is_string() ? std::string(m->get_string()) : std::string();
}

}  // namespace instructor::detail
