// The untyped side of a client that the templates in client.hpp and stream.hpp call into
// (compiled in lib/client/).
#pragma once

#include <instructor/client_options.hpp>
#include <instructor/completion.hpp>
#include <instructor/detail/answer_target.hpp>
#include <instructor/detail/tool_spec.hpp>
#include <instructor/hooks.hpp>
#include <instructor/request.hpp>
#include <instructor/validation.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <exception>
#include <memory>
#include <vector>

namespace instructor::detail {

struct client_state;

std::shared_ptr<client_state> make_client_state(boost::asio::any_io_executor ex,
                                                client_options opts);
boost::asio::any_io_executor const& executor_of(client_state const& s) noexcept;
client_options const& options_of(client_state const& s) noexcept;
hook_id add_hook(client_state& s, hook kind, hook_handler fn);
bool remove_hook(client_state& s, hook_id id);

/// Throws `e` as an ins::error: itself when it is one; Asio's cancellation (its
/// throw_if_cancelled, operation_aborted) as errc::cancelled; anything else as
/// connection_failed with its text. Every public awaitable and stream of a client ends through
/// it: the client's exit, where every secret it holds is redacted (lib/client/redaction.hpp).
[[noreturn]] void rethrow_as_error(client_state const& s, std::exception_ptr e);

/// The validators that wait (validate_async) of the value a call's target accepted: run by the
/// driver when the call core asks (its target's checks_async()). Failures go to `ctx`; an
/// ins::error or a cancellation thrown ends the call.
struct async_check {
    virtual ~async_check() = default;
    virtual boost::asio::awaitable<void> run(validation_context& ctx) = 0;
};

/// Runs a whole call: attempts, re-asks, network retries, fallbacks, hooks. `tools`: the
/// response model on the wire (one per alternative when `many`: parallel_tools, where every
/// tool call is an answer). `check`: the target's validators that wait, when it has any.
/// Throws ins::error. `req` is the call's own copy, worked on in place: the caller's frame,
/// which awaits this at once, owns it (a copy here would be a second request held by every
/// call in flight). `out`: where the completion goes; null when the caller drops it (create),
/// and then no reply's tree is built for it when nothing else asks for one.
boost::asio::awaitable<void> run_call(std::shared_ptr<client_state> state, request& req,
                                      answer_target& target, async_check* check,
                                      completion* out);

}  // namespace instructor::detail
