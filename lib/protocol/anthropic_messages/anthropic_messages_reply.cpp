// A whole Messages API response read in one pass: its usage and its blocks, with no tree.
#include "protocol/anthropic_messages/anthropic_messages.hpp"
#include "protocol/one_pass_reader.hpp"

#include <instructor/detail/json_text.hpp>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace instructor::detail {

namespace json = boost::json;

namespace {

// The members extract_messages and messages_usage read, taken as they stream by; everything
// else is skipped. A tool_use block's input is written back as json::serialize writes its tree
// (what extract_messages hands on). What those would reason about beyond the common reply (a
// thinking block, kept whole for a re-ask; a repeated member; an input object with a repeated
// key, or more keys than are checked cheaply; content that is not an array; a root that is not
// an object; malformed JSON) stops the reading, and the tree reading decides.
enum class frame : std::uint8_t { skip, root, content, block, usage, in_object, in_array };
enum class slot : std::uint8_t {
    none, stop, content, stop_reason, usage, block, type, text, name, id, input, in_value,
    input_tokens, output_tokens, cache_read
};

// An input object's keys are compared by hash (a collision only sends the reply to the tree),
// at most this many per object.
constexpr std::size_t max_checked_keys = 64;

std::uint64_t key_hash(std::string_view k) noexcept
{
    std::uint64_t h = 14695981039346656037u;  // FNV-1a
    for (unsigned char c : k)
        h = (h ^ c) * 1099511628211u;
    return h;
}

struct messages_reader : slot_reader<messages_reader, frame, slot> {
    explicit messages_reader(bool tools_mode) : tools(tools_mode) {}

    bool tools;
    extraction x;
    usage u;
    std::string stop_reason, text;
    bool has_content = false;

    // The block being read.
    std::string type, block_text, name, id;
    std::string input;  // its input as serialize writes it
    bool has_input = false;

    bool capturing_string = false;  // ... a string inside the input, written whole at its end
    std::string captured;

    std::vector<std::uint64_t> keys;     // the keys met in the open input objects
    std::uint32_t keys_from[depth] = {};  // where each level's keys start in `keys`

    slot take_slot()
    {
        auto& t = top();
        switch (t.kind) {
        case frame::content: return ++t.items, slot::block;
        case frame::in_object:
        case frame::in_array: return slot::in_value;
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

    /// A value of the input starts: the input itself (what was written before is another's),
    /// or one inside it (after a comma in an array; an object's key brought its own).
    bool input_value(slot at)
    {
        if (at == slot::input) {
            input.clear();
            has_input = true;
            return true;
        }
        if (at != slot::in_value)
            return false;
        if (top().kind == frame::in_array && top().items++ > 0)
            input.push_back(',');
        return true;
    }

    void start_block()
    {
        type.clear(), block_text.clear(), name.clear(), id.clear();
        has_input = false;  // (the input is cleared when one starts)
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
            a.text = has_input ? std::move(input) : std::string("{}");
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

    bool on_object_begin(json::error_code&)
    {
        if (n == 0)
            return push(frame::root);
        auto const at = take_slot();
        if (input_value(at)) {
            input.push_back('{');
            keys_from[n] = static_cast<std::uint32_t>(keys.size());
            return push(frame::in_object);
        }
        switch (at) {
        case slot::usage: return push(frame::usage);
        case slot::block: start_block(); return push(frame::block);
        case slot::content:  // not an array: extract_messages' error
        case slot::stop: return stop();
        default: return push(frame::skip);
        }
    }
    bool on_object_end(std::size_t, json::error_code&)
    {
        switch (top().kind) {
        case frame::block:
            if (!end_block())
                return false;
            break;
        case frame::in_object:
            input.push_back('}');
            keys.resize(keys_from[n - 1]);
            break;
        default: break;
        }
        return --n, true;
    }
    bool on_array_begin(json::error_code&)
    {
        if (n == 0)
            return stop();  // not an object: the tree reading says so
        auto const at = take_slot();
        if (input_value(at)) {
            input.push_back('[');
            return push(frame::in_array);
        }
        switch (at) {
        case slot::content: has_content = true; return push(frame::content);
        case slot::stop: return stop();
        default: return push(frame::skip);  // a block that is not an object is passed over
        }
    }
    bool on_array_end(std::size_t, json::error_code&)
    {
        if (top().kind == frame::in_array)
            input.push_back(']');
        return --n, true;
    }
    bool on_key(std::string_view s, std::size_t size, json::error_code& ec)
    {
        if (top().kind != frame::in_object)
            return slot_reader::on_key(s, size, ec);
        std::string_view k = s;
        if (!key.empty())
            k = key.append(s);
        auto const h = key_hash(k);
        auto const from = keys.begin() + keys_from[n - 1];
        if (static_cast<std::size_t>(keys.end() - from) >= max_checked_keys ||
            std::find(from, keys.end(), h) != keys.end())
            return stop();  // which of a repeated key the tree keeps is its to say
        keys.push_back(h);
        if (top().items++ > 0)
            input.push_back(',');
        append_json_string(input, k);
        input.push_back(':');
        key.clear();
        return true;
    }
    bool string_piece(std::string_view s)
    {
        if (!in_string) {
            if (n == 0)
                return stop();
            auto const at = take_slot();
            if (at == slot::stop || at == slot::content)
                return stop();
            capturing_string = input_value(at);
            target = capturing_string ? &captured : string_of(at);
            in_string = true;
        }
        if (target)
            target->append(s);
        return true;
    }
    bool on_string(std::string_view s, std::size_t, json::error_code&)
    {
        if (!string_piece(s))
            return false;
        if (capturing_string) {
            append_json_string(input, captured);
            captured.clear();
            capturing_string = false;
        }
        in_string = false;
        target = nullptr;
        return true;
    }
    /// A scalar other than a string: written when it is (in) an input; a count where one is
    /// read (as count_at: a non-negative integer, else 0).
    template <class Write>
    bool scalar(std::uint64_t count, bool is_count, Write const& write)
    {
        if (n == 0)
            return stop();
        auto const at = take_slot();
        if (at == slot::stop || at == slot::content)
            return stop();
        if (input_value(at))
            write();
        else if (auto* to = count_of(at))
            *to = is_count ? count : 0;
        return true;
    }
    bool on_int64(std::int64_t v, std::string_view, json::error_code&)
    {
        return scalar(v > 0 ? static_cast<std::uint64_t>(v) : 0, true,
                      [&] { append_number(input, v); });
    }
    bool on_uint64(std::uint64_t v, std::string_view, json::error_code&)
    {
        return scalar(v, true, [&] { append_number(input, v); });
    }
    bool on_double(double d, std::string_view, json::error_code&)
    {
        return scalar(0, false, [&] { input += json::serialize(json::value(d)); });
    }
    bool on_bool(bool b, json::error_code&)
    {
        return scalar(0, false, [&] { input += b ? "true" : "false"; });
    }
    bool on_null(json::error_code&)
    {
        return scalar(0, false, [&] { input += "null"; });
    }
};

}  // namespace

std::optional<reply_reading> read_messages_reply(mode m, std::string_view body)
{
    json::basic_parser<messages_reader> p(json::parse_options{}, is_tools_mode(m));
    json::error_code ec;
    auto const used = p.write_some(false, body.data(), body.size(), ec);
    auto& r = p.handler();
    // No content array: extract_messages' error, from the tree.
    if (ec || r.stopped || used != body.size() || !r.has_content)
        return std::nullopt;
    auto u = r.u;
    u.total_tokens = u.prompt_tokens + u.completion_tokens;
    return reply_reading{u, messages_extraction(m, std::move(r.x), r.stop_reason, std::move(r.text))};
}

}  // namespace instructor::detail
