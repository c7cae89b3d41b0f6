// A Responses stream's delta event (output text, refusal, function call arguments) read in one
// pass: the events a stream is made of, with no tree.
#include "protocol/openai_responses/openai_responses.hpp"
#include "protocol/one_pass_reader.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <cstdint>
#include <string>

namespace instructor::detail {

namespace json = boost::json;

namespace {

// The members responses_delta_of reads; a repeated one, a root that is not an object or
// malformed JSON stops the reading, and the tree reading decides.
enum class frame : std::uint8_t { skip, root };
enum class slot : std::uint8_t { none, stop, type, output_index, delta };

struct delta_event_reader : slot_reader<delta_event_reader, frame, slot> {
    responses_delta d;

    slot slot_of(level const& l, std::string_view k) const
    {
        if (l.kind != frame::root)
            return slot::none;
        return k == "type"           ? slot::type
             : k == "output_index"   ? slot::output_index
             : k == "delta"          ? slot::delta
                                     : slot::none;
    }
    std::string* string_of(slot s)
    {
        return s == slot::type ? &d.type : s == slot::delta ? &d.delta : nullptr;
    }
    std::uint64_t* count_of(slot s) { return s == slot::output_index ? &d.output_index : nullptr; }

    // Below the root, every object and array is skipped (a member read as a string or a count
    // is then absent, as the tree's accessors have it).
    // The event's type read and not the one this reading is for: the tree reads the event, and
    // reading on (a response.completed carries the whole response) would be a second parse.
    bool on_string(std::string_view s, std::size_t size, json::error_code& ec)
    {
        bool const is_type = n == 1 && (in_string ? target == &d.type : next == slot::type);
        if (!slot_reader::on_string(s, size, ec))
            return false;
        return is_type && !is_responses_delta(d.type) ? stop() : true;
    }

    bool on_object_begin(json::error_code&)
    {
        if (n == 0)
            return push(frame::root);
        take_slot();
        return push(frame::skip);
    }
};

}  // namespace

std::optional<responses_delta> read_responses_delta(std::string_view event, std::string_view data)
{
    json::basic_parser<delta_event_reader> p(json::parse_options{});
    auto& r = p.handler();
    if (!read_whole(p, data))
        return std::nullopt;
    if (r.d.type.empty())
        r.d.type = event;
    if (!is_responses_delta(r.d.type))
        return std::nullopt;
    return std::move(r.d);
}

}  // namespace instructor::detail
