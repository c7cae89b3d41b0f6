// Server-sent events: the WHATWG "event stream interpretation", fed incrementally (sans I/O).
#pragma once

#include "net/event_source.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace instructor::net {

/// Caps on what one stream may make the parser buffer.
struct sse_limits {
    std::size_t max_line = 1 << 20;    ///< bytes in one line, line end excluded
    std::size_t max_event = 16 << 20;  ///< bytes of data in one event, joining '\n's included
};

/// Turns the bytes of a `text/event-stream` body into events. It does no I/O: the transport
/// feeds it what it reads and pops the events. The work is linear in the bytes fed, however they
/// are split; only an unfinished line and the current event's fields are buffered.
///
/// Lines end with CRLF, LF or CR (a CRLF split across two feeds is one line end). A UTF-8 BOM at
/// the start is skipped. `retry:` fields, comments and unknown fields are ignored.
class sse_parser final : public event_source {
public:
    explicit sse_parser(sse_limits limits = {});

    /// Feeds the next bytes of the body, split anywhere. Complete events are queued.
    /// Returns `errc::response_too_large` when a line or an event's data exceeds its limit; the
    /// error is sticky: every later feed() and finish() returns it and ignores its input. Events
    /// queued before the error can still be popped.
    std::error_code feed(std::string_view bytes) override;

    /// Pops the next complete event, if any (valid until the next call of any member).
    sse_event const* pop() override;

    /// True once an event whose data is exactly `[DONE]` arrived (OpenAI's terminator). That
    /// event is not queued.
    bool done() const noexcept override { return done_; }

    /// The body ended. An event not terminated by a blank line is discarded, as the
    /// specification requires. Returns the sticky error, if any.
    std::error_code finish() override;

    std::string failure() const override { return "a stream event exceeds the size limit"; }

private:
    void feed_lines(std::string_view bytes);
    void process_line(std::string_view line);
    void dispatch();
    void fail();

    sse_limits limits_;
    // Queued events are slots [head_, tail_); once all are popped the slots are reused from
    // the start, their strings' room with them (a stream's events allocate nothing each), but
    // for a few slots and no large buffer.
    std::vector<sse_event> slots_;
    std::size_t head_ = 0, tail_ = 0;
    std::string line_;   // the unfinished line, when a feed ended inside one
    std::string data_;   // data buffer: each data line plus '\n'
    std::string event_;  // event type buffer
    std::string id_;     // last event ID buffer
    std::error_code error_;
    unsigned bom_matched_ = 0;  // BOM bytes matched so far at the start of the stream
    bool bom_checked_ = false;
    bool skip_lf_ = false;  // the previous line ended with CR: a leading LF belongs to it
    bool done_ = false;
};

}  // namespace instructor::net
