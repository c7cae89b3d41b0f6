// A Converse stream's contentBlockDelta event (text or a tool input's piece) read in one pass:
// the events a stream is made of, with no tree.
#include "protocol/bedrock/bedrock.hpp"
#include "protocol/one_pass_reader.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <cstdint>
#include <string>

namespace instructor::detail {

namespace json = boost::json;

namespace {

// The members bedrock_delta_of reads; a reasoning delta, a delta that is not an object, a
// repeated member, a root that is not an object or malformed JSON stops the reading, and the
// tree reading decides.
enum class frame : std::uint8_t { skip, root, delta, tool_use };
enum class slot : std::uint8_t { none, stop, block, delta, tool_use, reasoning, text, input };

struct delta_event_reader : slot_reader<delta_event_reader, frame, slot> {
    bedrock_delta d;
    std::string text, input;
    bool has_delta = false;

    slot slot_of(level const& l, std::string_view k) const
    {
        switch (l.kind) {
        case frame::root:
            return k == "contentBlockIndex" ? slot::block
                 : k == "delta"             ? slot::delta
                                            : slot::none;
        case frame::delta:
            return k == "toolUse"          ? slot::tool_use
                 : k == "reasoningContent" ? slot::reasoning
                 : k == "text"             ? slot::text
                                           : slot::none;
        case frame::tool_use: return k == "input" ? slot::input : slot::none;
        default: return slot::none;
        }
    }
    std::string* string_of(slot s)
    {
        return s == slot::text ? &text : s == slot::input ? &input : nullptr;
    }
    std::uint64_t* count_of(slot s) { return s == slot::block ? &d.block : nullptr; }

    bool on_object_begin(json::error_code&)
    {
        if (n == 0)
            return push(frame::root);
        switch (take_slot()) {
        case slot::delta: has_delta = true; return push(frame::delta);
        case slot::tool_use: d.tool_input = true; return push(frame::tool_use);
        case slot::reasoning: return stop();  // (unless a toolUse is there too) the tree's
        default: return push(frame::skip);
        }
    }
};

}  // namespace

std::optional<bedrock_delta> read_bedrock_delta(std::string_view data)
{
    json::basic_parser<delta_event_reader> p(json::parse_options{});
    auto& r = p.handler();
    if (!read_whole(p, data) || !r.has_delta)
        return std::nullopt;
    r.d.text = std::move(r.d.tool_input ? r.input : r.text);
    return std::move(r.d);
}

}  // namespace instructor::detail
