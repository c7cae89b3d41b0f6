#include "protocol/openai_chat.hpp"

#include <instructor/hooks.hpp>
#include <instructor/message.hpp>

namespace instructor {

boost::json::object message::to_json() const
{
    return detail::chat_message(*this, 0);
}

void hooks::emit(hook_event const& e) const noexcept
{
    for (auto const& h : handlers_) {
        if (h.kind != e.kind)
            continue;
        try {
            h.fn(e);
        }
        catch (...) {
            // a broken observer must not break the call it observes
        }
    }
}

}  // namespace instructor
