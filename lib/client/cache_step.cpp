#include "cache_step.hpp"

#include <exception>

namespace instructor::detail {

boost::asio::awaitable<call_event> cache_step(cache& c, call_action const& a)
{
    std::string what;
    try {
        if (a.k == call_action::kind::cache_get) {
            auto found = co_await c.get(*a.key);
            co_return found ? call_event::cached(std::move(*found)) : call_event::uncached();
        }
        co_await c.put(*a.key, *a.value);
        co_return call_event::next();
    }
    catch (std::exception const& e) {
        what = e.what();
    }
    catch (...) {
        what = "an unknown exception";
    }
    co_return call_event::failed(error(errc::cache_failed, "the response cache failed: " + what));
}

}  // namespace instructor::detail
