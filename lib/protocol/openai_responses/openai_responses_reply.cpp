// A whole Responses API response read in one pass: its usage and its output items, no tree.
#include "protocol/openai_responses/openai_responses.hpp"
#include "protocol/one_pass_reader.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace instructor::detail {

namespace json = boost::json;

namespace {

// The members extract_responses and responses_usage read, taken as they stream by; everything
// else is skipped. What those would reason about beyond the common reply (a failed status, its
// error; a reasoning item, kept whole for a re-ask; a repeated member; output that is not an
// array; a root that is not an object; malformed JSON) stops the reading, and the tree decides.
enum class frame : std::uint8_t {
    skip, root, output, item, parts, part, incomplete, usage, details
};
enum class slot : std::uint8_t {
    none, stop, output, status, incomplete, usage, item, type, name, call_id, arguments, content,
    part, text, refusal, reason, input_tokens, output_tokens, total_tokens, input_details,
    output_details, cached_tokens, reasoning_tokens
};

struct responses_reader : slot_reader<responses_reader, frame, slot> {
    bool has_output = false;
    std::string status, reason;
    std::string text, refusal;  // the messages' parts, joined
    std::vector<answer> calls;
    usage u;

    // The item being read, and its content part.
    std::string type, name, call_id, arguments, item_text, item_refusal;
    std::string part_type, part_text, part_refusal;

    slot take_slot()
    {
        auto& t = top();
        switch (t.kind) {
        case frame::output: return slot::item;
        case frame::parts: return slot::part;
        case frame::skip: return slot::none;
        default: return std::exchange(next, slot::none);
        }
    }

    slot slot_of(level const& l, std::string_view k) const
    {
        switch (l.kind) {
        case frame::root:
            return k == "output"             ? slot::output
                 : k == "status"             ? slot::status
                 : k == "incomplete_details" ? slot::incomplete
                 : k == "usage"              ? slot::usage
                                             : slot::none;
        case frame::item:
            return k == "type"      ? slot::type
                 : k == "name"      ? slot::name
                 : k == "call_id"   ? slot::call_id
                 : k == "arguments" ? slot::arguments
                 : k == "content"   ? slot::content
                                    : slot::none;
        case frame::part:
            return k == "type"    ? slot::type
                 : k == "text"    ? slot::text
                 : k == "refusal" ? slot::refusal
                                  : slot::none;
        case frame::incomplete: return k == "reason" ? slot::reason : slot::none;
        case frame::usage:
            return k == "input_tokens"          ? slot::input_tokens
                 : k == "output_tokens"         ? slot::output_tokens
                 : k == "total_tokens"          ? slot::total_tokens
                 : k == "input_tokens_details"  ? slot::input_details
                 : k == "output_tokens_details" ? slot::output_details
                                                : slot::none;
        case frame::details:
            return l.detail == slot::input_details  // which count the details hold
                       ? (k == "cached_tokens" ? slot::cached_tokens : slot::none)
                       : (k == "reasoning_tokens" ? slot::reasoning_tokens : slot::none);
        default: return slot::none;
        }
    }

    std::string* string_of(slot s)
    {
        bool const in_part = top().kind == frame::part;
        switch (s) {
        case slot::status: return &status;
        case slot::reason: return &reason;
        case slot::type: return in_part ? &part_type : &type;
        case slot::name: return &name;
        case slot::call_id: return &call_id;
        case slot::arguments: return &arguments;
        case slot::text: return &part_text;
        case slot::refusal: return &part_refusal;
        default: return nullptr;
        }
    }

    std::uint64_t* count_of(slot s)
    {
        switch (s) {
        case slot::input_tokens: return &u.prompt_tokens;
        case slot::output_tokens: return &u.completion_tokens;
        case slot::total_tokens: return &u.total_tokens;
        case slot::cached_tokens: return &u.cached_tokens;
        case slot::reasoning_tokens: return &u.reasoning_tokens;
        default: return nullptr;
        }
    }

    /// What extract_responses does with an item, once it is whole.
    bool end_item()
    {
        if (type == "function_call") {
            if (calls.size() == max_tool_calls)
                return stop();  // extract_responses' error, from the tree
            calls.push_back(responses_call(std::move(name), std::move(call_id),
                                           std::move(arguments), calls.size()));
        }
        else if (type == "message") {
            text += item_text;
            refusal += item_refusal;
        }
        else if (type == "reasoning") {
            return stop();  // kept whole for a re-ask: the tree's
        }
        return true;
    }
    void end_part()
    {
        if (part_type == "output_text")
            item_text += part_text;
        else if (part_type == "refusal")
            item_refusal += part_refusal;
    }

    bool on_object_begin(json::error_code&)
    {
        if (n == 0)
            return push(frame::root);
        switch (auto const at = take_slot()) {
        case slot::item:
            type.clear(), name.clear(), call_id.clear(), arguments.clear();
            item_text.clear(), item_refusal.clear();
            return push(frame::item);
        case slot::part:
            part_type.clear(), part_text.clear(), part_refusal.clear();
            return push(frame::part);
        case slot::incomplete: return push(frame::incomplete);
        case slot::usage: return push(frame::usage);
        case slot::input_details:
        case slot::output_details: return push(frame::details, at);
        case slot::stop: return stop();
        default: return push(frame::skip);  // an output that is not an array is never "had"
        }
    }
    bool on_object_end(std::size_t, json::error_code&)
    {
        if (top().kind == frame::item && !end_item())
            return false;
        if (top().kind == frame::part)
            end_part();
        return --n, true;
    }
    bool on_array_begin(json::error_code&)
    {
        if (n == 0)
            return stop();  // not an object: the tree reading says so
        switch (take_slot()) {
        case slot::output: has_output = true; return push(frame::output);
        case slot::content: return push(frame::parts);
        case slot::stop: return stop();
        default: return push(frame::skip);  // an item or part that is not an object is passed over
        }
    }
};

}  // namespace

std::optional<reply_reading> read_responses_reply(mode m, std::string_view body)
{
    json::basic_parser<responses_reader> p(json::parse_options{});
    auto& r = p.handler();
    // No output array, or a failed response: extract_responses' errors, from the tree.
    if (!read_whole(p, body) || !r.has_output || r.status == "failed")
        return std::nullopt;
    auto u = r.u;
    if (u.total_tokens == 0)
        u.total_tokens = u.prompt_tokens + u.completion_tokens;
    return reply_reading{u, responses_extraction(m, std::move(r.text), std::move(r.calls),
                                                 responses_finish_reason(r.status, r.reason),
                                                 std::move(r.refusal))};
}

}  // namespace instructor::detail
