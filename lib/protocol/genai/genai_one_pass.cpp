// A GenerateContentResponse read in one pass, with no tree: a whole reply (its usage and its
// first candidate's parts) for the replies whose parts a re-ask rebuilds as they came, and a
// stream event whose parts are text pieces.
#include "protocol/genai/genai.hpp"
#include "protocol/one_pass_reader.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <cstdint>
#include <string>

namespace instructor::detail {

namespace json = boost::json;

namespace {

// A whole reply: the tree keeps its parts for a re-ask (thoughts and their signatures go back as
// they came); genai_reask rebuilds them from the answers when none are kept: one text part, then
// a functionCall part of `name` and `args` per answer. So the reading answers only for parts
// that rebuild to themselves: one text part first (not empty), then, in a tools mode, calls of
// exactly `name` (a string) then `args` (an object with no double in it: written back and read
// again, a double may move by an ulp).
// A stream event: every part a text piece (`{"text"}`, or a thought's `{"text", "thought":
// true}` in that order), which the stream reader joins as its tree reading does
// (genai_reader::take_piece).
// Any other part, an event's error, a repeated member, no first candidate, a root that is not an
// object or malformed JSON stops the reading, and the tree decides.
enum class frame : std::uint8_t {
    skip, root, candidates, candidate, content, parts, part, function_call, usage
};
enum class slot : std::uint8_t {
    none, stop, candidates, candidate, content, finish_reason, parts, part, text, function_call,
    name, input, usage, prompt_tokens, candidates_tokens, thoughts_tokens, cached_tokens,
    total_tokens, thought
};

constexpr std::uint32_t bit(slot s) { return std::uint32_t{1} << static_cast<unsigned>(s); }

struct response_handler : rewriting_reader<response_handler, frame, slot> {
    using base = rewriting_reader<response_handler, frame, slot>;
    static constexpr frame input_frame = frame::function_call;

    /// A stream event's reading (text pieces, no calls), or a whole reply's in mode `m` (made
    /// in place by the parser: a handler moved costs as much as a short event's reading).
    struct event_reading {};
    explicit response_handler(event_reading) : event(true), tools(false) {}
    explicit response_handler(mode m) : event(false), tools(is_tools_mode(m)) {}

    bool event, tools;  // tools: a call is an answer (never in an event's reading)
    extraction x;       // a reply's
    genai_event ev;     // an event's
    std::string finish_reason;
    std::uint64_t prompt = 0, candidates_tokens = 0, thoughts = 0, cached = 0, total = 0;
    bool has_usage = false, has_candidate = false;
    std::size_t parts_read = 0;

    // The part being read: its text (has_text: a string came, even an empty one) and whether it
    // is a thought's, or its call's name (and args, in `input`).
    std::string text, name;
    bool has_text = false, thought = false, has_name = false, call_whole = false;

    slot take_slot()
    {
        auto& t = top();
        switch (t.kind) {
        case frame::candidates: return t.items++ == 0 ? slot::candidate : slot::none;
        case frame::parts: return slot::part;
        case frame::skip: return slot::none;
        default: return std::exchange(next, slot::none);
        }
    }

    slot slot_of(level const& l, std::string_view k) const
    {
        switch (l.kind) {
        case frame::root:
            return k == "candidates"     ? slot::candidates
                 : k == "usageMetadata"  ? slot::usage
                 : k == "error" && event ? slot::stop  // the stream's error: the tree's
                                         : slot::none;
        case frame::candidate:
            return k == "content"      ? slot::content
                 : k == "finishReason" ? slot::finish_reason
                                       : slot::none;
        case frame::content: return k == "parts" ? slot::parts : slot::none;
        case frame::part:  // text or a call (end_part wants one): anything else is the tree's
            return k == "text"         ? slot::text
                 : k == "functionCall" ? (tools ? slot::function_call : slot::stop)
                 : k == "thought" && event && l.seen == bit(slot::text) ? slot::thought
                                                                       : slot::stop;
        case frame::function_call:  // name, then args: the order a re-ask writes them in
            return k == "name"                              ? slot::name
                 : k == "args" && l.seen == bit(slot::name) ? slot::input
                                                            : slot::stop;
        case frame::usage:
            return k == "promptTokenCount"        ? slot::prompt_tokens
                 : k == "candidatesTokenCount"    ? slot::candidates_tokens
                 : k == "thoughtsTokenCount"      ? slot::thoughts_tokens
                 : k == "cachedContentTokenCount" ? slot::cached_tokens
                 : k == "totalTokenCount"         ? slot::total_tokens
                                                  : slot::none;
        default: return slot::none;
        }
    }

    std::string* string_of(slot s)
    {
        switch (s) {
        case slot::finish_reason: return &finish_reason;
        case slot::text: has_text = true; return &text;
        case slot::name: has_name = true; return &name;
        default: return nullptr;
        }
    }

    std::uint64_t* count_of(slot s)
    {
        switch (s) {
        case slot::prompt_tokens: return &prompt;
        case slot::candidates_tokens: return &candidates_tokens;
        case slot::thoughts_tokens: return &thoughts;
        case slot::cached_tokens: return &cached;
        case slot::total_tokens: return &total;
        default: return nullptr;
        }
    }

    /// An event's text piece, or what read_parts does with a reply's part when a re-ask
    /// rebuilds it, once the part is whole.
    bool end_part()
    {
        auto const seen = top().seen;
        if (event) {
            auto const text_only = bit(slot::text), thought_text = text_only | bit(slot::thought);
            bool const piece = seen == text_only || (seen == thought_text && thought);
            if (!piece || !has_text || ev.pieces == genai_event::max_pieces)
                return stop();
            ev.text += text;
            ev.thought[ev.pieces] = thought;
            ev.ends[ev.pieces++] = ev.text.size();
            return true;
        }
        if (seen == bit(slot::function_call) && call_whole) {
            if (x.answers.size() >= max_tool_calls)
                return stop();  // past the limit: the tree's error
            x.answers.push_back(
                genai_call_answer(std::move(name), {}, std::move(input.out), x.answers.size()));
        }
        else if (seen == bit(slot::text) && !text.empty() && parts_read == 0) {
            x.content = std::move(text);
        }
        else {
            return stop();
        }
        ++parts_read;
        return true;
    }

    bool object_begin()
    {
        if (n == 0)
            return push(frame::root);
        switch (take_slot()) {
        case slot::candidate: has_candidate = true; return push(frame::candidate);
        case slot::content: return push(frame::content);
        case slot::usage: has_usage = true; return push(frame::usage);
        case slot::part:
            text.clear(), name.clear();
            has_text = thought = has_name = call_whole = false;
            return push(frame::part);
        case slot::function_call: has_input = false; return push(frame::function_call);
        case slot::stop: return stop();
        default: return push(frame::skip);
        }
    }
    bool object_end()
    {
        switch (top().kind) {
        case frame::function_call:
            call_whole = top().seen == (bit(slot::name) | bit(slot::input)) && has_name &&
                         has_input && input.out.starts_with('{');
            break;
        case frame::part:
            if (!end_part())
                return false;
            break;
        default: break;
        }
        return --n, true;
    }
    bool array_begin()
    {
        if (n == 0)
            return stop();  // not an object: the tree reading says so
        switch (take_slot()) {
        case slot::candidates: return push(frame::candidates);
        case slot::parts: return push(frame::parts);
        case slot::stop: return stop();
        default: return push(frame::skip);
        }
    }
    bool on_bool(bool b, boost::system::error_code& ec)
    {
        if (next == slot::thought && !input.active())
            thought = b;
        return base::on_bool(b, ec);
    }
    bool on_double(double d, std::string_view s, boost::system::error_code& ec)
    {
        if (input.active())
            return stop();
        return base::on_double(d, s, ec);
    }

    usage used() const
    {
        return genai_usage_from(prompt, candidates_tokens, thoughts, cached, total);
    }
};

}  // namespace

std::optional<reply_reading> read_genai_reply(mode m, std::string_view body)
{
    json::basic_parser<response_handler> p(json::parse_options{}, m);
    auto& r = p.handler();
    // No first candidate (a blocked prompt, or not a reply): the tree's to say which.
    if (!read_whole(p, body) || !r.has_candidate)
        return std::nullopt;
    return reply_reading{r.used(), genai_extraction(m, std::move(r.x), r.finish_reason)};
}

std::optional<genai_event> read_genai_event(std::string_view data)
{
    json::basic_parser<response_handler> p(json::parse_options{},
                                           response_handler::event_reading{});
    auto& r = p.handler();
    // No first candidate (a blocked prompt, or not an event): the tree's to say which.
    if (!read_whole(p, data) || !r.has_candidate)
        return std::nullopt;
    if (r.has_usage)
        r.ev.used = r.used();
    r.ev.finish_reason = std::move(r.finish_reason);
    return std::move(r.ev);
}

}  // namespace instructor::detail
