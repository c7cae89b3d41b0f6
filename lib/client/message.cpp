#include <instructor/hooks.hpp>
#include <instructor/message.hpp>

namespace instructor {

boost::json::object message::to_json() const
{
    boost::json::object o{{"role", role}};
    if (parts.empty()) {
        o["content"] = content;
    }
    else {
        boost::json::array arr;
        for (auto const& p : parts) {
            if (p.type == "image_url") {
                boost::json::object img{{"url", p.text}};
                if (!p.detail.empty())
                    img["detail"] = p.detail;
                arr.push_back(boost::json::object{{"type", "image_url"}, {"image_url", std::move(img)}});
            }
            else {
                arr.push_back(boost::json::object{{"type", "text"}, {"text", p.text}});
            }
        }
        o["content"] = std::move(arr);
    }
    if (name)
        o["name"] = *name;
    if (tool_call_id)
        o["tool_call_id"] = *tool_call_id;
    return o;
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
