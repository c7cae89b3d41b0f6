// AWS event-stream frames in and out (see event_stream.hpp).
#include "protocol/bedrock/event_stream.hpp"

#include <instructor/error.hpp>

#include <boost/crc.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace instructor::detail {

namespace {

constexpr std::size_t prelude_size = 12;  // total length, headers length, prelude CRC
constexpr std::size_t overhead = 16;      // the prelude and the message CRC

std::uint32_t crc32(std::string_view bytes)
{
    boost::crc_32_type crc;
    crc.process_bytes(bytes.data(), bytes.size());
    return crc.checksum();
}

std::uint32_t be32(std::string_view b, std::size_t at)
{
    auto byte = [&](std::size_t i) { return std::uint32_t(static_cast<unsigned char>(b[at + i])); };
    return byte(0) << 24 | byte(1) << 16 | byte(2) << 8 | byte(3);
}

void put32(std::string& out, std::uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((v >> shift) & 0xff));
}

/// The string value of each string or bytes header; other types are skipped by their size.
/// False when a header runs past the headers' end or has an unknown type.
bool read_headers(std::string_view h, std::vector<std::pair<std::string_view, std::string_view>>& out)
{
    std::size_t i = 0;
    while (i < h.size()) {
        std::size_t const name_len = static_cast<unsigned char>(h[i++]);
        if (name_len == 0 || h.size() - i < name_len + 1)
            return false;
        auto const name = h.substr(i, name_len);
        i += name_len;
        auto const type = static_cast<unsigned char>(h[i++]);
        std::size_t fixed = 0;
        switch (type) {
        case 0: case 1: fixed = 0; break;   // true, false
        case 2: fixed = 1; break;           // byte
        case 3: fixed = 2; break;           // short
        case 4: fixed = 4; break;           // integer
        case 5: case 8: fixed = 8; break;   // long, timestamp
        case 9: fixed = 16; break;          // uuid
        case 6: case 7: {                   // bytes, string: a 2-byte length first
            if (h.size() - i < 2)
                return false;
            std::size_t const len = std::size_t(static_cast<unsigned char>(h[i])) << 8 |
                                    static_cast<unsigned char>(h[i + 1]);
            i += 2;
            if (h.size() - i < len)
                return false;
            out.emplace_back(name, h.substr(i, len));
            i += len;
            continue;
        }
        default:
            return false;
        }
        if (h.size() - i < fixed)
            return false;
        i += fixed;
    }
    return true;
}

}  // namespace

event_stream_decoder::event_stream_decoder(std::size_t max_frame)
    : max_frame_(std::max(max_frame, overhead))
{}

void event_stream_decoder::fail(std::error_code ec, std::string why)
{
    error_ = ec;
    failure_ = std::move(why);
    buf_.clear();
}

std::error_code event_stream_decoder::feed(std::string_view bytes)
{
    if (error_)
        return error_;
    buf_.append(bytes);
    std::size_t used = 0;
    // Frames are decoded in place and the buffer compacted once a feed: linear however the
    // bytes arrive (a frame split over many feeds has its prelude checked once).
    while (!error_) {
        std::string_view rest(buf_.data() + used, buf_.size() - used);
        if (need_ == 0) {
            if (rest.size() < prelude_size)
                break;
            auto const total = be32(rest, 0), headers = be32(rest, 4);
            if (be32(rest, 8) != crc32(rest.substr(0, 8))) {
                fail(make_error_code(errc::protocol_error),
                     "an event-stream frame's prelude fails its CRC");
                break;
            }
            if (total > max_frame_) {
                fail(make_error_code(errc::response_too_large),
                     "an event-stream frame of " + std::to_string(total) +
                         " bytes exceeds the size limit of " + std::to_string(max_frame_));
                break;
            }
            if (total < overhead || headers > total - overhead) {
                fail(make_error_code(errc::protocol_error),
                     "an event-stream frame's lengths disagree (total " + std::to_string(total) +
                         ", headers " + std::to_string(headers) + ")");
                break;
            }
            need_ = total;
        }
        if (rest.size() < need_)
            break;
        auto const frame = rest.substr(0, need_);
        used += need_;
        need_ = 0;
        if (be32(frame, frame.size() - 4) != crc32(frame.substr(0, frame.size() - 4))) {
            fail(make_error_code(errc::protocol_error), "an event-stream frame fails its CRC");
            break;
        }
        std::vector<std::pair<std::string_view, std::string_view>> headers;
        auto const headers_len = be32(frame, 4);
        if (!read_headers(frame.substr(prelude_size, headers_len), headers)) {
            fail(make_error_code(errc::protocol_error),
                 "an event-stream frame's headers are malformed");
            break;
        }
        auto header = [&](std::string_view name) {
            for (auto const& [n, v] : headers)
                if (n == name)
                    return v;
            return std::string_view();
        };
        net::sse_event ev;
        auto const type = header(":message-type");
        auto const payload = frame.substr(prelude_size + headers_len,
                                          frame.size() - overhead - headers_len);
        if (type == "event") {
            ev.event = header(":event-type");
            ev.data = payload;
        }
        else if (type == "exception") {
            ev.event = "exception:" + std::string(header(":exception-type"));
            ev.data = payload;
        }
        else if (type == "error") {
            ev.event = "error:" + std::string(header(":error-code"));
            ev.data = header(":error-message");
        }
        else {
            fail(make_error_code(errc::protocol_error),
                 "an event-stream frame has no known :message-type");
            break;
        }
        queue_.push_back(std::move(ev));
    }
    if (!error_)
        buf_.erase(0, used);
    return error_;
}

net::sse_event const* event_stream_decoder::pop()
{
    if (queue_.empty())
        return nullptr;
    popped_ = std::move(queue_.front());
    queue_.pop_front();
    return &popped_;
}

std::error_code event_stream_decoder::finish()
{
    if (!error_ && !buf_.empty())
        fail(make_error_code(errc::protocol_error),
             "the stream ended inside an event-stream frame (" + std::to_string(buf_.size()) +
                 " bytes left)");
    return error_;
}

std::string encode_event_frame(std::vector<std::pair<std::string, std::string>> const& headers,
                               std::string_view payload)
{
    std::string h;
    for (auto const& [name, value] : headers) {
        if (name.empty() || name.size() > 255 || value.size() > 65535)
            throw error(errc::invalid_argument, "an event-stream header too long to frame");
        h.push_back(static_cast<char>(name.size()));
        h += name;
        h.push_back(7);
        h.push_back(static_cast<char>(value.size() >> 8));
        h.push_back(static_cast<char>(value.size() & 0xff));
        h += value;
    }
    std::string out;
    put32(out, static_cast<std::uint32_t>(overhead + h.size() + payload.size()));
    put32(out, static_cast<std::uint32_t>(h.size()));
    put32(out, crc32(out));
    out += h;
    out += payload;
    put32(out, crc32(out));
    return out;
}

std::string encode_event(std::string_view event_type, std::string_view json)
{
    return encode_event_frame({{":event-type", std::string(event_type)},
                               {":content-type", "application/json"},
                               {":message-type", "event"}},
                              json);
}

std::string encode_exception(std::string_view exception_type, std::string_view message)
{
    auto const payload =
        "{\"message\":" + boost::json::serialize(boost::json::string(message)) + "}";
    return encode_event_frame({{":exception-type", std::string(exception_type)},
                               {":content-type", "application/json"},
                               {":message-type", "exception"}},
                              payload);
}

}  // namespace instructor::detail
