// A whole chat completion read in one pass: its usage and its first choice, with no tree.
#include "protocol/openai_chat/openai_chat.hpp"
#include "protocol/one_pass_reader.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <cstdint>

namespace instructor::detail {

namespace json = boost::json;

namespace {

// The members extract_chat and chat_usage read, taken as they stream by; everything else is
// skipped. Whatever those would have to reason about beyond the common reply (a cost, a run
// URL, a repeated member, arguments sent as an object, a root that is not an object, malformed
// JSON) stops the reading, and the tree reading decides: one meaning, two speeds.
enum class frame : std::uint8_t {
    skip, root, choices, c0, other_choice, message, calls, call, function, usage, details
};
enum class slot : std::uint8_t {
    none, stop, choices, usage, c0, other_choice, message, finish, refusal, content,
    reasoning_content, reasoning, tool_calls, call, id, function, name, arguments,
    prompt_tokens, completion_tokens, total_tokens, prompt_details, completion_details,
    cached_tokens, reasoning_tokens
};

struct reply_reader : slot_reader<reply_reader, frame, slot> {
    explicit reply_reader(bool tools_mode) : tools(tools_mode) {}

    bool tools;
    chat_choice c;
    usage u;
    bool has_choice = false, has_message = false;

    /// The slot of the value that starts now, from where it is.
    slot take_slot()
    {
        if (n == 0)
            return slot::none;
        auto& t = top();
        switch (t.kind) {
        case frame::choices: return t.items++ == 0 ? slot::c0 : slot::other_choice;
        case frame::calls:
            // extract_chat refuses more calls than this (its error, from the tree)
            return ++t.items > max_tool_calls ? slot::stop : slot::call;
        case frame::skip: return slot::none;
        default: return std::exchange(next, slot::none);
        }
    }

    /// The members read, by where they are; a key is compared with its frame's members only.
    slot slot_of(level const& l, std::string_view k) const
    {
        switch (l.kind) {
        case frame::root:
            return k == "choices" ? slot::choices : k == "usage" ? slot::usage : slot::none;
        case frame::c0:
            return k == "message"         ? slot::message
                 : k == "finish_reason"   ? slot::finish
                 : k == "cost_usd"        ? slot::stop
                 : k == "url"             ? slot::stop
                                          : slot::none;
        case frame::other_choice: return k == "cost_usd" ? slot::stop : slot::none;
        case frame::message:
            return k == "content"           ? slot::content
                 : k == "tool_calls"        ? (tools ? slot::tool_calls : slot::none)
                 : k == "refusal"           ? slot::refusal
                 : k == "reasoning_content" ? slot::reasoning_content
                 : k == "reasoning"         ? slot::reasoning
                                            : slot::none;
        case frame::call:
            return k == "function" ? slot::function : k == "id" ? slot::id : slot::none;
        case frame::function:
            return k == "arguments" ? slot::arguments : k == "name" ? slot::name : slot::none;
        case frame::usage:
            return k == "prompt_tokens"             ? slot::prompt_tokens
                 : k == "completion_tokens"         ? slot::completion_tokens
                 : k == "total_tokens"              ? slot::total_tokens
                 : k == "prompt_tokens_details"     ? slot::prompt_details
                 : k == "completion_tokens_details" ? slot::completion_details
                 : k == "cost"                      ? slot::stop
                                                    : slot::none;
        case frame::details:
            return l.detail == slot::prompt_details  // which count the details hold
                       ? (k == "cached_tokens" ? slot::cached_tokens : slot::none)
                       : (k == "reasoning_tokens" ? slot::reasoning_tokens : slot::none);
        default: return slot::none;
        }
    }

    std::uint64_t* count_of(slot s)
    {
        switch (s) {
        case slot::prompt_tokens: return &u.prompt_tokens;
        case slot::completion_tokens: return &u.completion_tokens;
        case slot::total_tokens: return &u.total_tokens;
        case slot::cached_tokens: return &u.cached_tokens;
        case slot::reasoning_tokens: return &u.reasoning_tokens;
        default: return nullptr;
        }
    }

    std::string* string_of(slot s)
    {
        switch (s) {
        case slot::finish: return &c.finish_reason;
        case slot::refusal: return &c.refusal;
        case slot::content: return &c.content;
        case slot::reasoning_content: return &c.reasoning_content;
        case slot::reasoning: return &c.reasoning;
        case slot::id: return &calls_back().id;
        case slot::name: return &calls_back().name;
        case slot::arguments: return &calls_back().text;
        default: return nullptr;
        }
    }

    // The call being read: its answer exists once its function does (extract_chat keeps only
    // the calls with a function object), so the id waits apart until then.
    answer pending;
    bool call_has_function = false;
    answer& calls_back() { return call_has_function ? c.calls.back() : pending; }

    bool on_object_begin(json::error_code&)
    {
        if (n == 0)
            return push(frame::root);
        switch (auto const at = take_slot()) {
        case slot::stop: return stop();
        case slot::usage: return push(frame::usage);
        case slot::c0: has_choice = true; return push(frame::c0);
        case slot::other_choice: return push(frame::other_choice);
        case slot::message: has_message = true; return push(frame::message);
        case slot::call:
            pending = {};
            call_has_function = false;
            return push(frame::call);
        case slot::function:
            c.calls.push_back(std::move(pending));
            call_has_function = true;
            return push(frame::function);
        case slot::arguments: return stop();  // an object: the tree serializes it
        case slot::prompt_details:
        case slot::completion_details: return push(frame::details, at);
        default: return push(frame::skip);
        }
    }
    bool on_array_begin(json::error_code&)
    {
        if (n == 0)
            return stop();  // not an object: the tree reading says so
        switch (take_slot()) {
        case slot::stop: return stop();
        case slot::choices: return push(frame::choices);
        case slot::tool_calls: return push(frame::calls);
        default: return push(frame::skip);
        }
    }
};

}  // namespace

std::optional<reply_reading> read_chat_reply(mode m, std::string_view body)
{
    json::basic_parser<reply_reader> p(json::parse_options{}, is_tools_mode(m));
    auto& r = p.handler();
    // No first choice or no message: extract_chat's errors, from the tree.
    if (!read_whole(p, body) || !r.has_choice || !r.has_message)
        return std::nullopt;
    auto u = r.u;
    if (u.total_tokens == 0)
        u.total_tokens = u.prompt_tokens + u.completion_tokens;
    return reply_reading{u, chat_extraction(m, std::move(r.c))};
}

}  // namespace instructor::detail
