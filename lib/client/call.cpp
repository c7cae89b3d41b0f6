// One call: the call core run by the engine's driver; the client's own members.
#include "call_core.hpp"
#include "client_state.hpp"
#include "client/driver.hpp"

#include <instructor/client.hpp>
#include "net/url.hpp"

#include <boost/asio/error.hpp>

namespace instructor {

namespace detail {

std::shared_ptr<client_state> make_client_state(boost::asio::any_io_executor ex,
                                                client_options opts)
{
    if (opts.base_url.empty())
        throw error(errc::invalid_argument, "client_options::base_url is empty");
    (void)net::parse_url(opts.base_url);  // a bad URL fails here, not on the first call
    for (auto const& f : opts.fallbacks)
        (void)net::parse_url(f.base_url);
    return std::make_shared<client_state>(std::move(ex), std::move(opts));
}

boost::asio::any_io_executor const& executor_of(client_state const& s) noexcept { return s.ex; }
client_options const& options_of(client_state const& s) noexcept { return s.opts; }

hook_id add_hook(client_state& s, hook kind, hook_handler fn)
{
    std::lock_guard lock(s.mutex);
    return s.client_hooks.on(kind, std::move(fn));
}

bool remove_hook(client_state& s, hook_id id)
{
    std::lock_guard lock(s.mutex);
    return s.client_hooks.off(id);
}

void rethrow_as_error(client_state const& s, std::exception_ptr e)
{
    auto err = as_error(std::move(e));
    s.exit.apply(err);
    throw err;
}

error as_error(std::exception_ptr e)
{
    try {
        std::rethrow_exception(e);
    }
    catch (error const& err) {
        return err;
    }
    catch (boost::system::system_error const& se) {
        if (se.code() == boost::asio::error::operation_aborted)
            return error(errc::cancelled, "the operation was cancelled");
        return error(errc::connection_failed, se.what());
    }
    catch (std::exception const& other) {
        return error(errc::connection_failed, other.what());
    }
    catch (...) {
        return error(errc::connection_failed, "an unknown exception");
    }
}

boost::asio::awaitable<void> run_call(std::shared_ptr<client_state> s, request& req,
                                      answer_target& target, async_check* check, completion* out)
{
    // The call's own state in its arena, the coroutine's frame left small: the block is one
    // the thread kept from its last call, where the core, driver, request and actions were
    // each an allocation (and the core most of this frame).
    call_arena arena;
    auto const core = make_in<call_core>(&arena, s->opts, s->hooks_now(), req, target, false,
                                         &std::chrono::steady_clock::now, &s->wires, &arena);
    if (!out)
        core->drop_raw();
    driver d(*s, *core, check, &arena);
    for (;;) {  // the driver's steps awaited here: driver::run would be one frame more per call
        bool const more = co_await d.advance();
        if (!more)
            break;
    }
    if (out)
        *out = core->take_completion();
}

}  // namespace detail

client::client(boost::asio::any_io_executor executor, client_options options)
    : state_(detail::make_client_state(std::move(executor), std::move(options)))
{}

hook_id client::on(hook kind, hook_handler fn)
{
    return detail::add_hook(*state_, kind, std::move(fn));
}

bool client::off(hook_id id) { return detail::remove_hook(*state_, id); }

net::pool_stats client::transport_stats() const { return state_->http.stats(); }

std::optional<instructor::rate_limit_stats> client::rate_limit_stats() const
{
    if (!state_->own_limiter)
        return std::nullopt;
    return state_->own_limiter->stats();
}

}  // namespace instructor
