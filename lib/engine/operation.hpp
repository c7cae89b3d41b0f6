// The one vocabulary of every sans-I/O operation (a call, a stream, a batch's submit, wait,
// retrieve, cancel and list): events in, actions out, in the style of Boost.Redis's exec_fsm and
// Boost.MySQL's algorithms. One driver (client/driver.hpp) carries the actions out for all of
// them; tests drive an operation step by step without sockets, failing each step in turn.
#pragma once

#include "engine/boxed.hpp"

#include <instructor/error.hpp>
#include <instructor/hooks.hpp>
#include <instructor/net/http_types.hpp>
#include <instructor/usage.hpp>
#include <instructor/validation.hpp>

#include <boost/json/fwd.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace instructor::detail {

/// What an operation reads the time from (tests give a fake one).
using clock_fn = std::function<std::chrono::steady_clock::time_point()>;

/// What the validators that wait found (a checked event's payload; held apart so that every
/// other event, a stream's bytes above all, stays small to move).
struct check_result {
    std::vector<validation_issue> issues;  ///< none: valid
    usage spent;                           ///< their own model calls
};

struct op_event {
    enum class kind {
        next,      ///< the last action (emit, yield, cache_put) was carried out; go on
        response,  ///< a whole answer arrived (`data`: its body)
        opened,    ///< a stream's headers arrived (2xx)
        bytes,     ///< stream bytes (`data`)
        eof,       ///< the stream's body ended
        failure,   ///< the last send, read or cache step failed (`failure`: its error)
        cached,    ///< the cache holds an entry for the key (`data`)
        uncached,  ///< the cache holds nothing for the key
        woke,      ///< the sleep ended
        limited,   ///< the rate limiters took nothing: ask again at `until`
        checked,   ///< the validators that wait ran: `check` says what they found
    };
    kind k = kind::next;
    std::string data;
    boxed<error> failure;  // rare, and an event is held by every operation in flight
    std::chrono::steady_clock::time_point until{};  ///< limited
    std::shared_ptr<check_result> check;            ///< checked

    static op_event next() { return {}; }
    static op_event response(std::string body) { return {kind::response, std::move(body), {}}; }
    static op_event opened() { return {kind::opened, {}, {}}; }
    static op_event bytes(std::string b) { return {kind::bytes, std::move(b), {}}; }
    static op_event eof() { return {kind::eof, {}, {}}; }
    static op_event failed(error e)
    {
        op_event ev{kind::failure};
        ev.failure = std::move(e);
        return ev;
    }
    static op_event cached(std::string entry) { return {kind::cached, std::move(entry), {}}; }
    static op_event uncached() { return {kind::uncached, {}, {}}; }
    static op_event woke() { return {kind::woke, {}, {}}; }
    static op_event limited(std::chrono::steady_clock::time_point at)
    {
        return {kind::limited, {}, {}, at};
    }
    static op_event checked(std::vector<validation_issue> found, usage used)
    {
        return {kind::checked, {}, {}, {},
                std::make_shared<check_result>(check_result{std::move(found), used})};
    }
};

struct op_action {
    enum class kind {
        send,       ///< send `request` with `retry`: a whole answer, or a stream when `stream`
        read,       ///< read more of the stream
        emit,       ///< run the hooks for `event`
        yield,      ///< something is ready to hand out
        done,       ///< finished with its result (the operation's own accessor)
        fail,       ///< finished with an error: take_failure()
        cache_get,  ///< look `key` up in the client's cache: answer cached or uncached
        cache_put,  ///< store `value` under `key` in the client's cache: answer next
        sleep,      ///< wait until `until` (cancellable): answer woke
        /// take room for one request of `tokens` from the client's rate limiters: answer next
        /// (taken; held until settle or the operation's end) or limited
        take,
        settle,     ///< the request taken for ended, `used` tokens when known: answer next
        /// run the target's validators that wait (validate_async) on the value it accepted,
        /// with `context` and by `deadline`: answer checked (or failure: an ins::error one
        /// threw, the deadline, a cancellation)
        check,
    };
    kind k = kind::fail;
    std::size_t endpoint = 0;
    net::http_request* request = nullptr;  ///< send: the operation's; read in place, then cleared
    net::retry_settings retry;
    bool stream = false;
    hook_event const* event = nullptr;   ///< emit: valid until the next resume()
    std::string const* key = nullptr;    ///< cache_get, cache_put: valid until the next resume()
    std::string const* value = nullptr;  ///< cache_put
    std::chrono::steady_clock::time_point until;  ///< sleep
    std::uint64_t tokens = 0;                     ///< take: the estimate
    std::optional<std::uint64_t> used;            ///< settle
    boost::json::object const* context = nullptr;  ///< check: request::context
    std::optional<std::chrono::steady_clock::time_point> deadline;  ///< check
};

/// What the driver runs.
class operation {
public:
    virtual ~operation() = default;
    /// The first call takes op_event::next(). After done or fail, every call answers fail.
    virtual op_action resume(op_event ev) = 0;
    /// Runs an emit action's handlers.
    virtual void dispatch(hook_event const&) const noexcept {}
    /// Why the operation failed (after a fail action): an ins::error, or an exception a
    /// caller's callback threw, to be rethrown as it is.
    virtual std::exception_ptr take_failure() = 0;
};

}  // namespace instructor::detail
