// How a streamed body becomes events: server-sent events for most APIs, an API's own binary
// framing for others (AWS event-stream). The call core reads every stream through this.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace instructor::net {

/// One event: an SSE event, or a frame of another framing in the same words (its type in
/// `event`, its payload in `data`).
struct sse_event {
    std::string event;  ///< "" when the event had no `event:` field (callers treat it as "message")
    std::string data;   ///< the `data:` lines joined with '\n'
    std::string id;     ///< the last event ID seen so far in the stream (it carries over events)

    friend bool operator==(sse_event const&, sse_event const&) = default;
};

class event_source {
public:
    virtual ~event_source() = default;
    /// Feeds the next bytes of the body, split anywhere. Returns the sticky error of a
    /// malformed or oversized body (`errc::response_too_large`, `errc::protocol_error`).
    virtual std::error_code feed(std::string_view bytes) = 0;
    /// Pops the next complete event, if any. It lives in the source until the next call of
    /// any member (the call core reads each where it is: no copy, no allocation per event).
    virtual sse_event const* pop() = 0;
    /// The same event, copied (for readers that keep it).
    std::optional<sse_event> next()
    {
        if (auto const* e = pop())
            return *e;
        return std::nullopt;
    }
    /// The body ended; returns the sticky error, if any (an unfinished frame is one).
    virtual std::error_code finish() = 0;
    /// The framing's own end marker arrived (SSE's `[DONE]`).
    virtual bool done() const noexcept = 0;
    /// What the sticky error was, in words, for the error the call ends with.
    virtual std::string failure() const = 0;
};

}  // namespace instructor::net
