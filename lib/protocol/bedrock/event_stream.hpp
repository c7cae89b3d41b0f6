// AWS's event-stream framing (application/vnd.amazon.eventstream), in which Bedrock's
// converse-stream sends its events: a sans-I/O decoder fed bytes split anywhere, and the
// encoder the mock and the tests frame events with.
//
// A frame: total length (4 bytes, big-endian), headers length (4), the CRC-32 of those eight
// bytes (4), the headers, the payload, and the CRC-32 of everything before it (4). A header:
// its name's length (1), the name, a value type (1) and the value.
#pragma once

#include "net/event_source.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace instructor::detail {

/// Frames into events: `:message-type` "event" gives an event of its `:event-type` with the
/// payload as data; "exception" gives `exception:<:exception-type>` with the payload (a JSON
/// object with a `message`); "error" gives `error:<:error-code>` with `:error-message` as data.
/// Both CRCs are checked. A frame over `max_frame` bytes (or one whose lengths disagree) is a
/// sticky error; the work is linear in the bytes fed, however they are split.
class event_stream_decoder final : public net::event_source {
public:
    explicit event_stream_decoder(std::size_t max_frame);

    std::error_code feed(std::string_view bytes) override;
    net::sse_event const* pop() override;
    std::error_code finish() override;
    bool done() const noexcept override { return false; }  // the API's last event ends it
    std::string failure() const override { return failure_; }

private:
    void fail(std::error_code ec, std::string why);
    bool take_frame();  // decodes the frame at the buffer's start, when it is whole

    std::size_t max_frame_;
    std::string buf_;
    std::size_t need_ = 0;  // the current frame's length, once its prelude checked out
    std::deque<net::sse_event> queue_;
    net::sse_event popped_;  // the event pop() last gave
    std::error_code error_;
    std::string failure_;
};

/// One frame holding string-valued headers (value type 7) and `payload`; invalid_argument for a
/// name over 255 bytes or a value over 65,535.
std::string encode_event_frame(std::vector<std::pair<std::string, std::string>> const& headers,
                               std::string_view payload);

/// An event frame as Bedrock sends one: `:event-type`, `:content-type` application/json,
/// `:message-type` event.
std::string encode_event(std::string_view event_type, std::string_view json);

/// An exception frame: `:exception-type`, `:content-type` application/json, `:message-type`
/// exception, the payload `{"message": ...}`.
std::string encode_exception(std::string_view exception_type, std::string_view message);

}  // namespace instructor::detail
