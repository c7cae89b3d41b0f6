// A streamed call: a short loop that runs the call core over an HTTP stream. Each byte is
// parsed once.
#include "cache_step.hpp"
#include "call_core.hpp"
#include "client_state.hpp"
#include "net/net_errors.hpp"

#include <boost/asio/this_coro.hpp>

#include <instructor/detail/stream_core.hpp>

namespace instructor::detail {

struct stream_driver::impl {
    std::shared_ptr<client_state> state;
    call_core core;
    std::optional<net::http_stream> http;
    call_event ev;

    impl(std::shared_ptr<client_state> s, request req, answer_target& target)
        : state(std::move(s)), core(state->opts, state->hooks_now(), std::move(req), target, true)
    {}

    boost::asio::awaitable<bool> advance()
    {
        for (;;) {
            auto a = core.resume(std::exchange(ev, call_event::next()));
            switch (a.k) {
            case call_action::kind::emit:
                core.dispatch(*a.event);
                break;
            case call_action::kind::send:
                http.reset();
                try {
                    http.emplace(co_await state->http.open_stream(std::move(*a.request), a.retry));
                    co_await net::check_cancelled();
                    ev = call_event::opened();
                }
                catch (...) {
                    ev = call_event::failed(as_error(std::current_exception()));
                }
                break;
            case call_action::kind::read:
                try {
                    auto bytes = co_await http->read_some();
                    co_await net::check_cancelled();
                    ev = bytes ? call_event::bytes(std::move(*bytes)) : call_event::eof();
                }
                catch (...) {
                    ev = call_event::failed(as_error(std::current_exception()));
                }
                break;
            case call_action::kind::cache_get:
            case call_action::kind::cache_put:
                ev = co_await cache_step(*state->opts.cache, a);
                co_await net::check_cancelled();
                break;
            case call_action::kind::yield:
                co_return true;
            case call_action::kind::done:
                http.reset();
                co_return false;
            case call_action::kind::fail:
                http.reset();
                throw core.take_error();
            }
        }
    }
};

stream_driver::stream_driver(std::shared_ptr<client_state> state, request req,
                             answer_target& target)
    : impl_(std::make_unique<impl>(std::move(state), std::move(req), target))
{}

stream_driver::~stream_driver() = default;

boost::asio::awaitable<bool> stream_driver::advance() { return impl_->advance(); }
usage stream_driver::total_usage() const noexcept { return impl_->core.total_usage(); }
int stream_driver::attempts() const noexcept { return impl_->core.attempts(); }

}  // namespace instructor::detail
