// The untyped side of a client that the templates in client.hpp and stream.hpp call into
// (compiled in lib/client/).
#pragma once

#include <instructor/client_options.hpp>
#include <instructor/completion.hpp>
#include <instructor/detail/answer_target.hpp>
#include <instructor/detail/tool_spec.hpp>
#include <instructor/hooks.hpp>
#include <instructor/request.hpp>

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

/// Runs a whole call: attempts, re-asks, network retries, fallbacks, hooks. `tools`: the
/// response model on the wire (one per alternative when `many`: parallel_tools, where every
/// tool call is an answer). Throws ins::error.
boost::asio::awaitable<completion> run_call(std::shared_ptr<client_state> state, request req,
                                            answer_target& target);

}  // namespace instructor::detail
