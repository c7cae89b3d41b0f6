// A streamed call: the call core run by the engine's driver, handing out what it yields.
#include "call_core.hpp"
#include "client_state.hpp"
#include "client/driver.hpp"

#include <instructor/detail/stream_core.hpp>

namespace instructor::detail {

struct stream_driver::impl {
    std::shared_ptr<client_state> state;
    request req;  // the stream's own, which its core works on
    call_core core;
    driver run;

    impl(std::shared_ptr<client_state> s, request r, answer_target& target, async_check* check)
        : state(std::move(s)), req(std::move(r)),
          core(state->opts, state->hooks_now(), req, target, true, &std::chrono::steady_clock::now,
               &state->wires),
          run(*state, core, check)
    {}
};

stream_driver::stream_driver(std::shared_ptr<client_state> state, request req,
                             answer_target& target, async_check* check)
    : impl_(std::make_unique<impl>(std::move(state), std::move(req), target, check))
{}

stream_driver::~stream_driver() = default;

boost::asio::awaitable<bool> stream_driver::advance() { return impl_->run.advance(); }
usage stream_driver::total_usage() const noexcept { return impl_->core.total_usage(); }
int stream_driver::attempts() const noexcept { return impl_->core.attempts(); }
completion const* stream_driver::accepted() const noexcept { return impl_->core.accepted(); }

}  // namespace instructor::detail
