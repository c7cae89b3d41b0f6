// Observing a call: the events of Python Instructor's hooks.
#pragma once

#include <instructor/usage.hpp>
#include <instructor/validation.hpp>

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace instructor {

class error;

enum class hook {
    completion_kwargs,        ///< before each attempt: the request body
    completion_response,      ///< after each attempt: the response JSON
    completion_usage,         ///< after each attempt: usage so far, summed over attempts
    completion_error,         ///< an attempt failed with an API or network error
    parse_error,              ///< an answer did not decode or validate (it will be re-asked)
    completion_last_attempt,  ///< the last attempt failed; the call is about to throw
    cache_error,              ///< the response cache failed (errc::cache_failed); the call goes on
    rate_limited,             ///< a request waits for a rate limit (`wait`) before it is sent
};

/// What a handler sees. Pointers are valid during the handler only. Never holds the API key.
struct hook_event {
    hook kind;
    int attempt = 0;          ///< 1-based
    int max_attempts = 0;     ///< max_retries + 1
    bool is_last_attempt = false;
    std::string endpoint;     ///< base URL of the endpoint this attempt went to
    boost::json::value const* request_body = nullptr;   ///< completion_kwargs
    boost::json::value const* response = nullptr;       ///< completion_response, parse_error
    usage total_usage;                                  ///< completion_usage
    instructor::error const* error = nullptr;           ///< completion_error, completion_last_attempt, cache_error
    std::span<validation_issue const> issues;           ///< parse_error, completion_last_attempt
    std::chrono::milliseconds wait{0};                  ///< rate_limited: how long it waits
};

using hook_handler = std::function<void(hook_event const&)>;

/// Names one handler added with on(), for off(); unique in the process.
enum class hook_id : std::uint64_t {};

/// A set of handlers; several per event. A handler that throws is ignored: hooks never break
/// a call.
class hooks {
public:
    hook_id on(hook kind, hook_handler fn);
    /// Removes the handler `id` names; false when this set holds none (removed already).
    bool off(hook_id id);
    void emit(hook_event const& e) const noexcept;
    bool empty() const noexcept { return handlers_.empty(); }

private:
    struct entry {
        hook kind;
        hook_id id;
        hook_handler fn;
    };
    std::vector<entry> handlers_;
};

}  // namespace instructor
