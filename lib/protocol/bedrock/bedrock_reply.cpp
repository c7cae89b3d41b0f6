// A whole Converse response read in one pass: its usage and its content blocks, with no tree.
#include "protocol/bedrock/bedrock.hpp"
#include "protocol/one_pass_reader.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <cstdint>
#include <string>

namespace instructor::detail {

namespace json = boost::json;

namespace {

// The members extract_bedrock and bedrock_usage read, taken as they stream by; everything else
// is skipped. A toolUse input is written back as json::serialize writes its tree. What those
// would reason about beyond the common reply (a reasoning block, kept whole for a re-ask; a
// repeated member; an input the rewriter leaves to the tree; no output.message.content array; a
// root that is not an object; malformed JSON) stops the reading, and the tree decides.
enum class frame : std::uint8_t { skip, root, output, message, content, block, tool_use, usage };
enum class slot : std::uint8_t {
    none, stop, output, message, content, stop_reason, usage, block, tool_use, reasoning, text,
    name, id, input, input_tokens, output_tokens, cache_read, total_tokens
};

struct bedrock_reader : block_list_reader<bedrock_reader, frame, slot> {
    static constexpr frame input_frame = frame::tool_use;

    explicit bedrock_reader(bool tools_mode) : tools(tools_mode) {}

    bool tools;
    extraction x;
    usage u;
    std::string stop_reason;

    // The block being read: its text, and its toolUse (an object; its input in `input`) or
    // reasoningContent.
    std::string text, name, id;
    bool has_tool_use = false, has_reasoning = false;

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
            return k == "output"     ? slot::output
                 : k == "stopReason" ? slot::stop_reason
                 : k == "usage"      ? slot::usage
                                     : slot::none;
        case frame::output: return k == "message" ? slot::message : slot::none;
        case frame::message: return k == "content" ? slot::content : slot::none;
        case frame::block:
            return k == "toolUse"          ? slot::tool_use
                 : k == "reasoningContent" ? slot::reasoning
                 : k == "text"             ? slot::text
                                           : slot::none;
        case frame::tool_use:
            return k == "name"      ? slot::name
                 : k == "toolUseId" ? slot::id
                 : k == "input"     ? slot::input
                                    : slot::none;
        case frame::usage:
            return k == "inputTokens"          ? slot::input_tokens
                 : k == "outputTokens"         ? slot::output_tokens
                 : k == "cacheReadInputTokens" ? slot::cache_read
                 : k == "totalTokens"          ? slot::total_tokens
                                               : slot::none;
        default: return slot::none;
        }
    }

    std::string* string_of(slot s)
    {
        switch (s) {
        case slot::stop_reason: return &stop_reason;
        case slot::text: return &text;
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
        case slot::total_tokens: return &u.total_tokens;
        default: return nullptr;
        }
    }

    /// What extract_bedrock does with the block, once it is whole.
    bool end_block()
    {
        if (has_tool_use) {
            if (!tools)
                return true;
            if (x.answers.size() >= max_tool_calls)
                return stop();  // extract_bedrock's error, from the tree
            bool const given = has_input && input.out != "null";
            x.answers.push_back(tool_use_answer(std::move(name), std::move(id),
                                                given ? std::move(input.out) : std::string(),
                                                x.answers.size()));
        }
        else if (has_reasoning) {
            return stop();  // kept whole for a re-ask: the tree's
        }
        else {
            x.content += text;
        }
        return true;
    }

    bool object_begin()
    {
        if (n == 0)
            return push(frame::root);
        switch (take_slot()) {
        case slot::output: return push(frame::output);
        case slot::message: return push(frame::message);
        case slot::usage: return push(frame::usage);
        case slot::block:
            text.clear(), name.clear(), id.clear();
            has_tool_use = has_reasoning = has_input = false;
            return push(frame::block);
        case slot::tool_use: has_tool_use = true; return push(frame::tool_use);
        case slot::reasoning: has_reasoning = true; return push(frame::skip);
        case slot::stop: return stop();
        default: return push(frame::skip);
        }
    }
};

}  // namespace

std::optional<reply_reading> read_bedrock_reply(mode m, std::string_view body)
{
    json::basic_parser<bedrock_reader> p(json::parse_options{}, is_tools_mode(m));
    auto& r = p.handler();
    // No output.message.content array: extract_bedrock's error, from the tree.
    if (!read_whole(p, body) || !r.has_content)
        return std::nullopt;
    auto u = r.u;
    if (u.total_tokens == 0)
        u.total_tokens = u.prompt_tokens + u.completion_tokens;
    return reply_reading{u, bedrock_extraction(m, std::move(r.x), r.stop_reason)};
}

}  // namespace instructor::detail
