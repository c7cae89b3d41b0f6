#include "client/driver.hpp"

#include "client/cache_step.hpp"
#include "client/client_state.hpp"
#include "net/net_errors.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <instructor/cache.hpp>

#include <optional>
#include <utility>

namespace instructor::detail {

namespace asio = boost::asio;

struct driver::impl {
    client_state& s;
    operation& op;
    std::optional<net::http_stream> http;
    op_event ev;

    boost::asio::awaitable<bool> advance()
    {
        for (;;) {
            auto a = op.resume(std::exchange(ev, op_event::next()));
            switch (a.k) {
            case op_action::kind::emit: {
                redaction::event_copy keep;  // hooks see events through the client's exit
                op.dispatch(s.exit.apply(*a.event, keep));
                break;
            }
            case op_action::kind::send:
                http.reset();
                try {
                    if (a.stream) {
                        http.emplace(co_await s.http.open_stream(std::move(*a.request), a.retry));
                        co_await net::check_cancelled();
                        ev = op_event::opened();
                    }
                    else {
                        auto r = co_await s.http.send(std::move(*a.request), a.retry);
                        co_await net::check_cancelled();  // a cancellation that came with the answer
                        ev = op_event::response(std::move(r.body));
                    }
                }
                catch (...) {
                    ev = op_event::failed(as_error(std::current_exception()));
                }
                break;
            case op_action::kind::read:
                try {
                    auto bytes = co_await http->read_some();
                    co_await net::check_cancelled();
                    ev = bytes ? op_event::bytes(std::move(*bytes)) : op_event::eof();
                }
                catch (...) {
                    ev = op_event::failed(as_error(std::current_exception()));
                }
                break;
            case op_action::kind::cache_get:
            case op_action::kind::cache_put:
                ev = co_await cache_step(*s.opts.cache, a);
                co_await net::check_cancelled();  // cancelled while the cache answered: the end
                break;
            case op_action::kind::sleep: {
                asio::steady_timer timer(s.ex, a.until);
                co_await timer.async_wait(asio::use_awaitable);
                co_await net::check_cancelled();
                ev = op_event::woke();
                break;
            }
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

driver::driver(client_state& state, operation& op) : impl_(new impl{state, op, {}, {}}) {}
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
