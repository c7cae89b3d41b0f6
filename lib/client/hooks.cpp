// The hooks: handlers added and removed by id, and the dispatch (every handler of the event's
// kind, none able to break the call).
#include <instructor/hooks.hpp>

#include <atomic>

namespace instructor {

hook_id hooks::on(hook kind, hook_handler fn)
{
    // Ids are unique in the process: one set's id never removes another set's handler.
    static std::atomic<std::uint64_t> last{0};
    auto const id = hook_id{last.fetch_add(1, std::memory_order_relaxed) + 1};
    handlers_.push_back({kind, id, std::move(fn)});
    return id;
}

bool hooks::off(hook_id id)
{
    return std::erase_if(handlers_, [id](entry const& e) { return e.id == id; }) > 0;
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
