#include <instructor/error.hpp>
#include "net/sse_parser.hpp"

#include <utility>

namespace instructor::net {
namespace {

constexpr std::string_view bom = "\xEF\xBB\xBF";

}  // namespace

sse_parser::sse_parser(sse_limits limits) : limits_(limits) {}

std::error_code sse_parser::feed(std::string_view bytes)
{
    if (error_) return error_;
    // The BOM may itself arrive split, so it is matched a byte at a time.
    while (!bom_checked_ && !bytes.empty()) {
        if (bytes.front() == bom[bom_matched_]) {
            bytes.remove_prefix(1);
            if (++bom_matched_ == bom.size()) bom_checked_ = true;
        }
        else {
            bom_checked_ = true;
            // A partial BOM was ordinary text after all (it holds no line end).
            line_.assign(bom.substr(0, bom_matched_));
        }
    }
    feed_lines(bytes);
    return error_;
}

void sse_parser::feed_lines(std::string_view bytes)
{
    if (skip_lf_ && !bytes.empty()) {
        if (bytes.front() == '\n') bytes.remove_prefix(1);
        skip_lf_ = false;
    }
    // A line ends at its CR or LF. Each is found with memchr (libstdc++'s find_first_of("\r\n")
    // calls memchr once per byte: a tenth of a stream's CPU), and the next LF is remembered
    // across lines, so CR-only line ends do not rescan the rest of the feed for an LF.
    constexpr auto npos = std::string_view::npos;
    std::size_t lf = bytes.find('\n');
    auto consume = [&](std::size_t n) {
        bytes.remove_prefix(n);
        if (lf != npos) lf = lf >= n ? lf - n : bytes.find('\n');
    };
    while (!bytes.empty() && !error_) {
        auto const cr = bytes.substr(0, lf == npos ? bytes.size() : lf).find('\r');
        auto const end = cr != npos ? cr : lf;
        if (end == npos) {
            if (line_.size() + bytes.size() > limits_.max_line) return fail();
            line_.append(bytes);
            return;
        }
        auto const piece = bytes.substr(0, end);
        if (line_.size() + piece.size() > limits_.max_line) return fail();
        if (line_.empty()) {
            process_line(piece);  // the common case: no copy
        }
        else {
            line_.append(piece);
            process_line(line_);
            line_.clear();
        }
        bool const is_cr = bytes[end] == '\r';
        consume(end + 1);
        if (is_cr) {
            if (bytes.empty()) skip_lf_ = true;
            else if (bytes.front() == '\n') consume(1);
        }
    }
}

void sse_parser::process_line(std::string_view line)
{
    if (line.empty()) return dispatch();
    if (line.front() == ':') return;  // comment, e.g. a keep-alive ": ping"
    std::string_view field = line;
    std::string_view value;
    if (auto const colon = line.find(':'); colon != std::string_view::npos) {
        field = line.substr(0, colon);
        value = line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    if (field == "data") {
        // `data_` keeps a '\n' after each line; the last one is dropped on dispatch.
        if (data_.size() + value.size() > limits_.max_event) return fail();
        data_.append(value);
        data_.push_back('\n');
    }
    else if (field == "event") {
        event_.assign(value);
    }
    else if (field == "id") {
        if (value.find('\0') == std::string_view::npos) id_.assign(value);
    }
    // "retry" only matters to a reconnecting EventSource, which we are not; others are ignored.
}

void sse_parser::dispatch()
{
    if (data_.empty()) {
        event_.clear();
        return;
    }
    data_.pop_back();
    if (data_ == "[DONE]") {
        done_ = true;
        data_.clear();
        event_.clear();
        return;
    }
    if (tail_ == slots_.size())
        slots_.emplace_back();
    auto& slot = slots_[tail_++];
    slot.data.swap(data_);  // the slot's old room becomes the next event's buffer
    slot.event.swap(event_);
    slot.id.assign(id_);
    data_.clear();
    event_.clear();
}

void sse_parser::fail()
{
    error_ = make_error_code(errc::response_too_large);
    line_ = {};
    data_ = {};
    event_ = {};
}

sse_event const* sse_parser::pop()
{
    if (head_ < tail_) return &slots_[head_++];
    // All popped: the slots are reused from the start. Past a burst (a large read holds
    // hundreds of events), only a few keep their room.
    constexpr std::size_t kept_slots = 8;
    constexpr std::size_t kept_room = 4096;  // a large event's buffer is not held on to
    head_ = tail_ = 0;
    if (slots_.size() > kept_slots) slots_.resize(kept_slots);
    for (auto& s : slots_)
        if (s.data.capacity() > kept_room) std::string().swap(s.data);
    // The data buffer may hold an event still arriving (pop() runs between feeds): only an
    // empty one is let go.
    if (data_.empty() && data_.capacity() > kept_room) std::string().swap(data_);
    return nullptr;
}

std::error_code sse_parser::finish()
{
    line_.clear();
    data_.clear();
    event_.clear();
    skip_lf_ = false;
    return error_;
}

}  // namespace instructor::net
