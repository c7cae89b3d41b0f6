// The one driver: carries out the actions of any operation (engine/operation.hpp) over the
// client's transport, cache and timers. Cancellation is checked here, between steps, for all of
// them: a cancellation that came with a send's or a read's answer fails that step
// (errc::cancelled), one that came while the cache answered or a sleep ran ends the operation.
#pragma once

#include "engine/call_arena.hpp"
#include "engine/operation.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <memory_resource>

namespace instructor::detail {

struct client_state;
struct async_check;

class driver {
public:
    /// `state`, `op` and `check` (an operation's validators that wait, when it asks for them)
    /// must outlive the driver, and `memory` (where it keeps its state: a call's arena; null:
    /// the heap) too.
    driver(client_state& state, operation& op, async_check* check = nullptr,
           std::pmr::memory_resource* memory = nullptr);
    ~driver();
    driver(driver const&) = delete;
    driver& operator=(driver const&) = delete;

    /// Runs until the operation yields (true) or is done (false); rethrows its failure.
    boost::asio::awaitable<bool> advance();

    /// Runs the operation to its end (an operation that never yields).
    boost::asio::awaitable<void> run();

private:
    struct impl;
    resource_ptr<impl> impl_;
};

}  // namespace instructor::detail
