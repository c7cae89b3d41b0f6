// The non-template core of a call (the re-ask loop lives in lib/client/call.cpp).
#pragma once

#include <instructor/client_options.hpp>
#include <instructor/completion.hpp>
#include <instructor/detail/protocol.hpp>
#include <instructor/hooks.hpp>
#include <instructor/request.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace instructor::detail {

struct client_state;

/// The typed side of a call, erased: the response models on the wire, and how an answer is
/// decoded into the caller's value.
struct call_target {
    std::vector<tool_spec> tools;  ///< one, or one per alternative (parallel_tools)
    bool many = false;             ///< every tool call is an answer (parallel_tools)
    std::function<void()> reset;   ///< clears what earlier attempts decoded
    /// Decodes one answer (the tool's name, the JSON text) into the value; issues on failure.
    std::function<bool(std::string_view tool, std::string_view text,
                       std::vector<validation_issue>& issues)>
        decode;
};

std::shared_ptr<client_state> make_client_state(boost::asio::any_io_executor ex,
                                                client_options opts);
boost::asio::any_io_executor const& executor_of(client_state const& s) noexcept;
client_options const& options_of(client_state const& s) noexcept;
void add_hook(client_state& s, hook kind, hook_handler fn);

/// Runs a whole call: attempts, re-asks, network retries, fallbacks, hooks. Throws ins::error.
boost::asio::awaitable<completion> run_call(std::shared_ptr<client_state> state, request req,
                                            call_target& target);

}  // namespace instructor::detail
