// A Messages API stream's content_block_delta event read in one pass: the event a stream is
// made of, text or a tool input's piece, with no tree.
#include "protocol/anthropic_messages/anthropic_messages.hpp"
#include "protocol/one_pass_reader.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <cstdint>
#include <string>

namespace instructor::detail {

namespace json = boost::json;

namespace {

// The members parse_messages_event_tree reads of a text or input_json delta; any other event, delta
// type (a thinking block's), a delta that is not an object, a repeated member, a root that is
// not an object or malformed JSON stops the reading, and the tree reading decides.
enum class frame : std::uint8_t { skip, root, delta };
enum class slot : std::uint8_t { none, stop, type, index, delta, delta_type, partial_json, text };

struct delta_event_reader : slot_reader<delta_event_reader, frame, slot> {
    std::string type, delta_type, partial_json, text;
    std::uint64_t index = 0;

    slot slot_of(level const& l, std::string_view k) const
    {
        switch (l.kind) {
        case frame::root:
            return k == "type"    ? slot::type
                 : k == "index"   ? slot::index
                 : k == "delta"   ? slot::delta
                                  : slot::none;
        case frame::delta:
            return k == "type"         ? slot::delta_type
                 : k == "partial_json" ? slot::partial_json
                 : k == "text"         ? slot::text
                                       : slot::none;
        default: return slot::none;
        }
    }
    std::string* string_of(slot s)
    {
        switch (s) {
        case slot::type: return &type;
        case slot::delta_type: return &delta_type;
        case slot::partial_json: return &partial_json;
        case slot::text: return &text;
        default: return nullptr;
        }
    }
    // The index as the tree reads it: a non-negative int64, else 0.
    std::uint64_t* count_of(slot s) { return s == slot::index ? &index : nullptr; }
    bool on_uint64(std::uint64_t, std::string_view, json::error_code&) { return scalar(0); }

    // The event's type read and not the one this reading is for: the tree reads the event, and
    // reading on (a response.completed carries the whole response) would be a second parse.
    bool on_string(std::string_view s, std::size_t size, json::error_code& ec)
    {
        bool const is_type = n == 1 && (in_string ? target == &type : next == slot::type);
        if (!slot_reader::on_string(s, size, ec))
            return false;
        return is_type && type != "content_block_delta" ? stop() : true;
    }

    bool on_object_begin(json::error_code&)
    {
        if (n == 0)
            return push(frame::root);
        switch (take_slot()) {
        case slot::delta: return push(frame::delta);
        case slot::stop: return stop();
        default: return push(frame::skip);
        }
    }
};

}  // namespace

std::optional<chunk_delta> read_messages_delta(std::string_view event, std::string_view data)
{
    json::basic_parser<delta_event_reader> p(json::parse_options{});
    auto& r = p.handler();
    if (!read_whole(p, data))
        return std::nullopt;
    if ((r.type.empty() ? event : std::string_view(r.type)) != "content_block_delta")
        return std::nullopt;
    chunk_delta d;
    if (r.delta_type == "input_json_delta") {
        chunk_delta::call_piece piece;
        piece.index = static_cast<std::size_t>(r.index);
        piece.arguments = std::move(r.partial_json);
        d.calls.push_back(std::move(piece));
    }
    else if (r.delta_type == "text_delta") {
        d.content = std::move(r.text);
    }
    else {
        return std::nullopt;  // a thinking block's delta, another, or none: the tree's
    }
    return d;
}

}  // namespace instructor::detail
