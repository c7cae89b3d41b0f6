// The hooks' dispatch: every handler of the event's kind, none able to break the call.
#include <instructor/hooks.hpp>

namespace instructor {

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
