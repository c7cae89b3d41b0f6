// Runs any sans-I/O operation (engine/operation.hpp) without sockets: every action is answered
// by the test's `answer`, emits are dispatched here, and the run ends at done or fail. The
// call-core, batch-operation and differential tests share it (they differ only in answers).
#pragma once

#include "engine/operation.hpp"

#include <cstddef>
#include <optional>
#include <utility>

namespace test {

/// Runs `op` to its end: `answer(action)` gives the event for every action but emit, done and
/// fail. Returns the terminal action (done or fail), or nothing when the operation did not end
/// within `max_steps` (a test failure of its own). No GoogleTest here: the fuzz targets use it.
template <class Answer>
std::optional<instructor::detail::op_action::kind> run_scripted(
    instructor::detail::operation& op, Answer answer, std::size_t max_steps = 1'000'000)
{
    namespace det = instructor::detail;
    auto ev = det::op_event::next();
    for (std::size_t i = 0; i < max_steps; ++i) {
        auto a = op.resume(std::exchange(ev, det::op_event::next()));
        switch (a.k) {
        case det::op_action::kind::emit: op.dispatch(*a.event); break;
        case det::op_action::kind::done:
        case det::op_action::kind::fail: return a.k;
        default: ev = answer(a); break;
        }
    }
    return std::nullopt;
}

}  // namespace test
