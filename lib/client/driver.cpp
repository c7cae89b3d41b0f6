#include "client/driver.hpp"

#include "client/cache_step.hpp"
#include "client/client_state.hpp"
#include <instructor/detail/client_core.hpp>
#include "net/in_place.hpp"
#include "net/net_errors.hpp"
#include "protocol/rate_headers.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <instructor/cache.hpp>

#include <optional>
#include <utility>
#include <vector>

namespace instructor::detail {

namespace asio = boost::asio;

namespace {

/// A request sent gives back what it holds (its body, the prompt, may be large; a stream's is
/// not held while it streams). Its fields emptied, not a new request put in its place: that
/// would build the default list of secret header names for nothing.
void release_sent(net::http_request& r) noexcept
{
    std::string().swap(r.body);
    std::string().swap(r.body_file);
    std::vector<net::header>().swap(r.headers);
    std::vector<std::string>().swap(r.secrets);
    r.sign = nullptr;
    r.error_message = nullptr;
}

}  // namespace

struct driver::impl {
    client_state& s;
    operation& op;
    std::optional<net::http_stream> http;
    op_event ev;
    // The room the request in flight holds in the rate limiters (which the client state keeps
    // alive): given back at settle, or when the operation ends without one (a cancellation).
    std::vector<rate_limiter*> held;
    std::uint64_t held_tokens = 0;

    async_check* checker;

    impl(client_state& state, operation& o, async_check* c) : s(state), op(o), checker(c) {}
    impl(impl const&) = delete;
    impl& operator=(impl const&) = delete;
    ~impl() { release(std::nullopt); }

    std::vector<rate_limiter*> limiters() const
    {
        std::vector<rate_limiter*> all;
        if (s.own_limiter)
            all.push_back(s.own_limiter.get());
        if (s.opts.rate_limiter)
            all.push_back(s.opts.rate_limiter.get());
        return all;
    }

    void release(std::optional<std::uint64_t> used) noexcept
    {
        for (auto* l : held)
            l->give_back(held_tokens, used);
        held.clear();
    }

    /// Room in every limiter, or the time to ask again (nothing held then).
    boost::asio::awaitable<op_event> take(std::uint64_t tokens)
    {
        release(std::nullopt);  // a request never holds room twice
        held_tokens = tokens;
        for (auto* l : limiters()) {
            auto const later = co_await l->take(tokens);
            if (later) {
                for (auto* h : held)  // what the others took goes back whole, the request too
                    h->give_back_unsent(tokens);
                held.clear();
                co_return op_event::limited(*later);
            }
            held.push_back(l);
        }
        co_return op_event::next();
    }

    /// The validators that wait, by the call's deadline (past it: errc::timeout, the
    /// validators cancelled and waited for).
    boost::asio::awaitable<op_event> check(op_action const& a)
    {
        if (!checker)
            throw error(errc::invalid_argument, "driver: a check asked with no validators");
        std::vector<validation_issue> issues;
        usage spent;
        validation_context ctx(issues, {}, a.context, a.deadline, &spent);
        if (!a.deadline) {
            co_await checker->run(ctx);
            co_return op_event::checked(std::move(issues), spent);
        }
        // `||` waits for the first to succeed: a validator's exception is made a value, so
        // that it ends the wait at once instead of waiting out the deadline.
        auto caught = [](async_check& c, validation_context& x) -> asio::awaitable<std::exception_ptr> {
            try {
                co_await c.run(x);
            }
            catch (...) {
                co_return std::current_exception();
            }
            co_return nullptr;
        };
        using namespace boost::asio::experimental::awaitable_operators;
        asio::steady_timer timer(s.ex, *a.deadline);
        auto const first = co_await (caught(*checker, ctx) || timer.async_wait(asio::use_awaitable));
        if (first.index() == 1)
            throw error(errc::timeout, "the call's deadline passed while validate_async ran");
        if (auto const e = std::get<0>(first))
            std::rethrow_exception(e);
        co_return op_event::checked(std::move(issues), spent);
    }

    // Each step that waits is a coroutine of its own, which leaves its event in `ev`: one
    // frame holding every step's locals and results would be most of a call's memory in flight.

    /// The request sent; its response, or its stream opened.
    boost::asio::awaitable<void> send(op_action& a)
    {
        http.reset();
        if (!held.empty())  // the limiters learn what each response head says
            a.retry.on_head = [this](unsigned status, std::vector<net::header> const& h) {
                auto const sig =
                    protocol::rate_signal_of(status, h, std::chrono::system_clock::now());
                for (auto* l : held)
                    l->learn(sig);
            };
        // The request is read where the operation keeps it (no copy per call in flight), and
        // released once sent: a stream's prompt (media included) is not held while it streams.
        try {
            if (a.stream) {
                http.emplace(co_await net::detail::in_place::open_stream(s.http, *a.request, a.retry));
                release_sent(*a.request);
                net::throw_if_cancelled(co_await asio::this_coro::cancellation_state);
                ev = op_event::opened();
                co_return;
            }
            auto r = co_await net::detail::in_place::send(s.http, *a.request, a.retry);
            release_sent(*a.request);
            // a cancellation that came with the answer
            net::throw_if_cancelled(co_await asio::this_coro::cancellation_state);
            ev = op_event::response(std::move(r.body));
        }
        catch (...) {
            release_sent(*a.request);
            ev = op_event::failed(as_error(std::current_exception()));
        }
    }

    boost::asio::awaitable<void> read()
    {
        try {
            auto bytes = co_await http->read_some();
            net::throw_if_cancelled(co_await asio::this_coro::cancellation_state);
            ev = bytes ? op_event::bytes(std::move(*bytes)) : op_event::eof();
        }
        catch (...) {
            ev = op_event::failed(as_error(std::current_exception()));
        }
    }

    /// `step`'s event, or the failure it threw; then a cancellation that came meanwhile ends
    /// the operation.
    boost::asio::awaitable<void> guarded(boost::asio::awaitable<op_event> step)
    {
        try {
            ev = co_await std::move(step);
        }
        catch (...) {
            ev = op_event::failed(as_error(std::current_exception()));
        }
        net::throw_if_cancelled(co_await asio::this_coro::cancellation_state);
    }

    boost::asio::awaitable<void> cache(op_action const& a)
    {
        ev = co_await cache_step(*s.opts.cache, a);
        // cancelled while the cache answered: the end
        net::throw_if_cancelled(co_await asio::this_coro::cancellation_state);
    }

    boost::asio::awaitable<void> sleep(std::chrono::steady_clock::time_point until)
    {
        asio::steady_timer timer(s.ex, until);
        co_await timer.async_wait(asio::use_awaitable);
        net::throw_if_cancelled(co_await asio::this_coro::cancellation_state);
        ev = op_event::woke();
    }

    /// Hooks see events through the client's exit. Not a coroutine: the redacted copy stays
    /// out of advance()'s frame.
    void emit(hook_event const& e)
    {
        redaction::event_copy keep;
        op.dispatch(s.exit.apply(e, keep));
    }

    boost::asio::awaitable<bool> advance()
    {
        for (;;) {
            auto a = op.resume(std::exchange(ev, op_event::next()));
            switch (a.k) {
            case op_action::kind::emit:
                emit(*a.event);
                break;
            case op_action::kind::send:
                co_await send(a);
                break;
            case op_action::kind::read:
                co_await read();
                break;
            case op_action::kind::cache_get:
            case op_action::kind::cache_put:
                co_await cache(a);
                break;
            case op_action::kind::take:
                co_await guarded(take(a.tokens));
                break;
            case op_action::kind::check:
                co_await guarded(check(a));
                break;
            case op_action::kind::settle:
                release(a.used);
                ev = op_event::next();
                break;
            case op_action::kind::sleep:
                co_await sleep(a.until);
                break;
            case op_action::kind::yield:
                co_return true;
            case op_action::kind::done:
                http.reset();
                co_return false;
            case op_action::kind::fail:
            default:
                http.reset();
                std::rethrow_exception(op.take_failure());
            }
        }
    }
};

driver::driver(client_state& state, operation& op, async_check* check,
               std::pmr::memory_resource* memory)
    : impl_(make_in<impl>(memory, state, op, check))
{}
driver::~driver() = default;

boost::asio::awaitable<bool> driver::advance() { return impl_->advance(); }

boost::asio::awaitable<void> driver::run()
{
    for (;;) {  // not `while (co_await ...)`: GCC 12 miscompiles a co_await in a loop condition
        bool const more = co_await impl_->advance();
        if (!more)
            co_return;
    }
}

}  // namespace instructor::detail
