// One chunk of a streamed chat completion as the delta it carries.
#include "protocol/openai_chat/openai_chat.hpp"

#include "protocol/json_access.hpp"
#include "protocol/one_pass_reader.hpp"

#include <instructor/error.hpp>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include <cstdint>
#include <vector>

namespace instructor::detail {

namespace json = boost::json;

chunk_delta parse_chat_chunk_tree(std::string_view data)
{
    // A chunk is a few hundred bytes parsed once and dropped: its tree lives on the stack (a
    // larger one spills to the heap), not in a malloc per object and string.
    unsigned char arena[4096];
    json::monotonic_resource mr(arena, sizeof arena);
    boost::system::error_code ec;
    auto v = json::parse(data, ec, &mr);
    if (ec || !v.is_object())
        throw error(errc::protocol_error, "a stream chunk is not a JSON object");
    auto const& o = v.get_object();
    chunk_delta d;
    auto const& str = json_access::string_at;
    if (auto const* e = o.if_contains("error"); e && !e->is_null()) {
        d.error = e->is_object() ? str(e->get_object(), "message") : std::string("stream error");
        if (d.error->empty())
            d.error = "stream error";
        return d;
    }
    if (auto const* u = o.if_contains("usage"); u && u->is_object())
        d.usage = chat_usage(v);  // choices' costs included
    auto const* choices = o.if_contains("choices");
    if (!choices || !choices->is_array() || choices->get_array().empty())
        return d;  // the usage chunk has `choices: []`
    auto const* c0 = choices->get_array()[0].if_object();
    if (!c0)
        return d;
    if (!d.usage)  // a cost on a chunk's choice (WorkflowAI)
        if (auto cost = json_access::amount_at(*c0, "cost_usd"))
            d.usage = instructor::usage{.cost_usd = cost};
    if (auto url = str(*c0, "url"); !url.empty())
        d.run_url = std::move(url);
    if (auto const* fr = c0->if_contains("finish_reason"); fr && fr->is_string())
        d.finish_reason = std::string(fr->get_string());
    auto const* delta = c0->if_contains("delta");
    if (!delta || !delta->is_object())
        return d;
    auto const& dl = delta->get_object();
    d.content = str(dl, "content");
    d.refusal = str(dl, "refusal");
    d.reasoning = str(dl, "reasoning_content");
    if (d.reasoning.empty())
        d.reasoning = str(dl, "reasoning");
    if (auto const* calls = dl.if_contains("tool_calls"); calls && calls->is_array())
        for (auto const& c : calls->get_array()) {
            auto const* co = c.if_object();
            if (!co)
                continue;
            chunk_delta::call_piece p;
            if (auto const* i = co->if_contains("index"); i && i->is_int64() && i->get_int64() >= 0)
                p.index = static_cast<std::size_t>(i->get_int64());
            p.id = str(*co, "id");
            if (auto const* f = co->if_contains("function"); f && f->is_object()) {
                p.name = str(f->get_object(), "name");
                p.arguments = str(f->get_object(), "arguments");
            }
            d.calls.push_back(std::move(p));
        }
    return d;
}

namespace {

// The common chunk (a delta of content, reasoning or tool-call arguments, a finish reason) read
// in one pass with no tree: the few members parse_chat_chunk_tree reads are taken as they
// stream by, everything else skipped. Whatever that reading would have to reason about (an
// error, a usage or cost object, a run URL, a repeated member, a root that is not an object,
// malformed JSON) stops it, and the tree reading decides: one meaning, two speeds.
enum class frame : std::uint8_t { skip, root, choices, c0, delta, calls, call, function };
enum class slot : std::uint8_t {
    none, error, usage, choices, cost, url, finish, delta, content, refusal, reasoning_content,
    reasoning, tool_calls, index, id, function, name, arguments, c0, call
};

struct chunk_reader : one_pass_reader<frame, slot> {
    chunk_reader(chunk_delta& into, std::string_view data) : d(into), input(data) {}

    chunk_delta& d;         // the caller's, cleared: its strings' and vectors' room reused
    std::string reasoning;  // "reasoning", used when "reasoning_content" is empty
    slot next = slot::none;        // the slot of the value after the last key
    std::string* text = nullptr;   // the string value being taken
    bool in_string = false;

    // Where the chunk's one text is, for chat_chunks: the string values taken, and the last
    // one's place when it arrived whole, unescaped, as the input's own bytes.
    std::string_view input;
    std::size_t taken = 0;
    bool in_parts = false;
    chunk_text where;

    /// The slot of the value that starts now, from where it is.
    slot take_slot()
    {
        if (n == 0)
            return slot::none;
        auto& t = top();
        switch (t.kind) {
        case frame::choices: return t.items++ == 0 ? slot::c0 : slot::none;
        case frame::calls: return slot::call;
        case frame::root:
        case frame::c0:
        case frame::delta:
        case frame::call:
        case frame::function: return std::exchange(next, slot::none);
        case frame::skip: return slot::none;
        }
        return slot::none;
    }

    /// The members read, by where they are; any other member is skipped. A key is compared
    /// with its frame's own members only.
    static slot slot_of(frame f, std::string_view k)
    {
        switch (f) {
        case frame::root:
            return k == "choices" ? slot::choices
                 : k == "error"   ? slot::error
                 : k == "usage"   ? slot::usage
                                  : slot::none;
        case frame::c0:
            return k == "delta"         ? slot::delta
                 : k == "finish_reason" ? slot::finish
                 : k == "cost_usd"      ? slot::cost
                 : k == "url"           ? slot::url
                                        : slot::none;
        case frame::delta:
            return k == "tool_calls"        ? slot::tool_calls
                 : k == "content"           ? slot::content
                 : k == "refusal"           ? slot::refusal
                 : k == "reasoning_content" ? slot::reasoning_content
                 : k == "reasoning"         ? slot::reasoning
                                            : slot::none;
        case frame::call:
            return k == "index"    ? slot::index
                 : k == "function" ? slot::function
                 : k == "id"       ? slot::id
                                   : slot::none;
        case frame::function:
            return k == "arguments" ? slot::arguments
                 : k == "name"      ? slot::name
                                    : slot::none;
        default: return slot::none;
        }
    }

    /// A scalar in `s` other than a string: what the tree reading would make of it.
    bool scalar(slot s)
    {
        switch (s) {
        case slot::error:
        case slot::cost:
        case slot::url: return stop();
        default: return true;  // a member read as a string or a container: absent
        }
    }

    bool on_object_begin(boost::system::error_code&)
    {
        if (n == 0)
            return push(frame::root);
        switch (take_slot()) {
        case slot::error:
        case slot::usage:
        case slot::cost:
        case slot::url: return stop();
        case slot::c0: return push(frame::c0);
        case slot::delta: return push(frame::delta);
        case slot::call: d.calls.emplace_back(); return push(frame::call);
        case slot::function: return push(frame::function);
        default: return push(frame::skip);
        }
    }
    bool on_array_begin(boost::system::error_code&)
    {
        if (n == 0)
            return stop();  // not an object: the tree reading says so
        switch (take_slot()) {
        case slot::error:
        case slot::cost:
        case slot::url: return stop();
        case slot::choices: return push(frame::choices);
        case slot::tool_calls: return push(frame::calls);
        default: return push(frame::skip);
        }
    }
    bool on_key(std::string_view s, std::size_t, boost::system::error_code&)
    {
        next = key_slot(s, [](level const& l, std::string_view k) { return slot_of(l.kind, k); });
        if (next != slot::none && !first_time(next))
            return stop();  // a repeated member: the tree keeps the last
        return true;
    }
    /// The texts chat_chunks may find again in the next chunk; none for the other strings.
    static chunk_text::kind text_kind(slot s)
    {
        switch (s) {
        case slot::content: return chunk_text::kind::content;
        case slot::refusal: return chunk_text::kind::refusal;
        case slot::reasoning_content: return chunk_text::kind::reasoning;
        case slot::arguments: return chunk_text::kind::arguments;
        default: return chunk_text::kind::none;
        }
    }
    std::string* string_of(slot s)
    {
        switch (s) {
        case slot::content: return &d.content;
        case slot::refusal: return &d.refusal;
        case slot::reasoning_content: return &d.reasoning;
        case slot::reasoning: return &reasoning;
        case slot::id: return &d.calls.back().id;
        case slot::name: return &d.calls.back().name;
        case slot::arguments: return &d.calls.back().arguments;
        case slot::finish: return &d.finish_reason.emplace();
        default: return nullptr;
        }
    }
    bool string_piece(std::string_view s)
    {
        if (!in_string) {
            if (n == 0)
                return stop();
            auto const at = take_slot();
            if (at == slot::error || at == slot::cost || at == slot::url)
                return stop();
            text = string_of(at);
            in_string = true;
            if (text) {
                ++taken;
                where = {.at = text_kind(at),
                         .call = at == slot::arguments ? d.calls.size() - 1 : 0};
            }
        }
        if (text)
            text->append(s);
        return true;
    }
    bool on_string_part(std::string_view s, std::size_t, boost::system::error_code&)
    {
        in_parts = true;
        return string_piece(s);
    }
    bool on_string(std::string_view s, std::size_t, boost::system::error_code&)
    {
        if (!string_piece(s))
            return false;
        if (text && where.at != chunk_text::kind::none) {
            // Whole (no parts), unescaped, and the input's own bytes between its quotes.
            auto const begin = reinterpret_cast<std::uintptr_t>(input.data());
            auto const at = reinterpret_cast<std::uintptr_t>(s.data());
            bool const own = !in_parts && at > begin && at + s.size() < begin + input.size() &&
                             input[at - begin - 1] == '"' && input[at - begin + s.size()] == '"' &&
                             s.find('\\') == std::string_view::npos;
            if (own) {
                where.at_byte = at - begin;
                where.size = s.size();
            }
            else {
                where.at = chunk_text::kind::none;
            }
        }
        in_parts = false;
        in_string = false;
        text = nullptr;
        return true;
    }
    bool on_int64(std::int64_t v, std::string_view, boost::system::error_code&)
    {
        if (n == 0)
            return stop();
        auto const at = take_slot();
        if (at == slot::index && v >= 0)
            d.calls.back().index = static_cast<std::size_t>(v);
        return scalar(at);
    }
    bool other_scalar() { return n == 0 ? stop() : scalar(take_slot()); }
    bool on_uint64(std::uint64_t, std::string_view, boost::system::error_code&)
    {
        return other_scalar();
    }
    bool on_double(double, std::string_view, boost::system::error_code&) { return other_scalar(); }
    bool on_bool(bool, boost::system::error_code&) { return other_scalar(); }
    bool on_null(boost::system::error_code&)
    {
        if (n == 0)
            return stop();
        auto const at = take_slot();
        // `"error": null` and `"usage": null` say there is none, as in the tree reading.
        return at == slot::cost || at == slot::url ? stop() : true;
    }
};

}  // namespace

namespace {

/// parse_chat_chunk's reading into `into` (cleared first, the room of its texts and vectors
/// kept); `text` learns where the chunk's one text is, when it has one text and read it in one
/// pass.
void read_chunk(std::string_view data, chunk_delta& into, chunk_text& text)
{
    text = {};
    into.clear();
    json::basic_parser<chunk_reader> p(json::parse_options{}, into, data);
    boost::system::error_code ec;
    auto const used = p.write_some(false, data.data(), data.size(), ec);
    auto& r = p.handler();
    if (ec || r.stopped || used != data.size()) {
        into = parse_chat_chunk_tree(data);
        return;
    }
    if (into.reasoning.empty())
        into.reasoning = std::move(r.reasoning);
    if (r.taken == 1 && r.where.at != chunk_text::kind::none)
        text = r.where;
}

/// Printable ASCII with no quote or backslash: a JSON string's bytes that are its value.
bool plain_text(std::string_view s)
{
    for (unsigned char c : s)
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
            return false;
    return true;
}

}  // namespace

std::string& chat_chunks::text_of(chunk_text const& t)
{
    switch (t.at) {
    case chunk_text::kind::refusal: return d_.refusal;
    case chunk_text::kind::reasoning: return d_.reasoning;
    case chunk_text::kind::arguments: return d_.calls[t.call].arguments;
    default: return d_.content;
    }
}

chunk_delta const& chat_chunks::read(std::string_view data)
{
    // The chunk before, around a different plain text: the same bytes, so the same delta but
    // for that text (what the one-pass reading would make of it, without reading the rest).
    if (text_.at != chunk_text::kind::none && data.size() >= head_.size() + tail_.size() &&
        data.starts_with(head_) && data.ends_with(tail_)) {
        auto const middle = data.substr(head_.size(), data.size() - head_.size() - tail_.size());
        if (plain_text(middle)) {
            text_of(text_).assign(middle);
            return d_;
        }
    }
    read_chunk(data, d_, text_);
    if (text_.at != chunk_text::kind::none) {
        head_.assign(data.substr(0, text_.at_byte));
        tail_.assign(data.substr(text_.at_byte + text_.size));
    }
    return d_;
}

chunk_delta parse_chat_chunk(std::string_view data)
{
    chunk_delta d;
    chunk_text ignored;
    read_chunk(data, d, ignored);
    return d;
}

}  // namespace instructor::detail
