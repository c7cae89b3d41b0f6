// A whole Messages API response read in one pass: its usage and its blocks, with no tree.
#include "protocol/anthropic_messages/anthropic_messages.hpp"
#include "protocol/one_pass_reader.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <cstdint>

namespace instructor::detail {

namespace json = boost::json;

namespace {

// The members extract_messages and messages_usage read, taken as they stream by; everything
// else is skipped. A tool_use block's input is written back as json::serialize writes its tree
// (what extract_messages hands on). What those would reason about beyond the common reply (a
// thinking block, kept whole for a re-ask; a repeated member; an input the rewriter leaves to
// the tree; content that is not an array; a root that is not an object; malformed JSON) stops
// the reading, and the tree reading decides.
enum class frame : std::uint8_t { skip, root, content, block, usage };
enum class slot : std::uint8_t {
    none, stop, content, stop_reason, usage, block, type, text, name, id, input,
    input_tokens, output_tokens, cache_read
};

struct messages_reader : block_list_reader<messages_reader, frame, slot> {
    static constexpr frame input_frame = frame::block;

    explicit messages_reader(bool tools_mode) : tools(tools_mode) {}

    bool tools;
    extraction x;
    usage u;
    std::string stop_reason, text;

    // The block being read (its input in `input`).
    std::string type, block_text, name, id;

    slot take_slot()
    {
        auto& t = top();
        switch (t.kind) {
        case frame::content: return slot::block;
        case frame::skip: return slot::none;
        default: return std::exchange(next, slot::none);
        }
    }

    slot slot_of(level const& l, std::string_view k) const
    {
        switch (l.kind) {
        case frame::root:
            return k == "content"       ? slot::content
                 : k == "stop_reason"   ? slot::stop_reason
                 : k == "usage"         ? slot::usage
                                        : slot::none;
        case frame::block:
            return k == "type"    ? slot::type
                 : k == "text"    ? slot::text
                 : k == "name"    ? slot::name
                 : k == "id"      ? slot::id
                 : k == "input"   ? slot::input
                                  : slot::none;
        case frame::usage:
            return k == "input_tokens"            ? slot::input_tokens
                 : k == "output_tokens"           ? slot::output_tokens
                 : k == "cache_read_input_tokens" ? slot::cache_read
                                                  : slot::none;
        default: return slot::none;
        }
    }

    std::string* string_of(slot s)
    {
        switch (s) {
        case slot::stop_reason: return &stop_reason;
        case slot::type: return &type;
        case slot::text: return &block_text;
        case slot::name: return &name;
        case slot::id: return &id;
        default: return nullptr;
        }
    }

    std::uint64_t* count_of(slot s)
    {
        switch (s) {
        case slot::input_tokens: return &u.prompt_tokens;
        case slot::output_tokens: return &u.completion_tokens;
        case slot::cache_read: return &u.cached_tokens;
        default: return nullptr;
        }
    }

    void start_block()
    {
        type.clear(), block_text.clear(), name.clear(), id.clear();
        has_input = false;
    }
    /// What extract_messages does with the block, once it is whole.
    bool end_block()
    {
        if (type == "tool_use" && tools) {
            if (x.answers.size() >= max_tool_calls)
                return stop();  // extract_messages' error, from the tree
            answer a;
            a.name = std::move(name);
            a.id = std::move(id);
            a.text = has_input ? std::move(input.out) : std::string("{}");
            x.answers.push_back(std::move(a));
        }
        else if (type == "text") {
            text += block_text;
        }
        else if (type == "thinking" || type == "redacted_thinking") {
            return stop();  // kept whole for a re-ask: the tree's
        }
        return true;
    }

    bool object_begin()
    {
        if (n == 0)
            return push(frame::root);
        switch (take_slot()) {
        case slot::usage: return push(frame::usage);
        case slot::block: start_block(); return push(frame::block);
        case slot::content:  // not an array: extract_messages' error
        case slot::stop: return stop();
        default: return push(frame::skip);
        }
    }
};

}  // namespace

std::optional<reply_reading> read_messages_reply(mode m, std::string_view body)
{
    json::basic_parser<messages_reader> p(json::parse_options{}, is_tools_mode(m));
    auto& r = p.handler();
    // No content array: extract_messages' error, from the tree.
    if (!read_whole(p, body) || !r.has_content)
        return std::nullopt;
    auto u = r.u;
    u.total_tokens = u.prompt_tokens + u.completion_tokens;
    return reply_reading{
        u, messages_extraction(m, std::move(r.x), r.stop_reason, std::move(r.text))};
}

}  // namespace instructor::detail
