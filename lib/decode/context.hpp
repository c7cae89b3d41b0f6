// The state shared by the sinks of one decode (private to lib/).
#pragma once

#include <instructor/detail/decode_core.hpp>

#include <boost/json/value.hpp>

#include <memory>
#include <string>
#include <vector>

namespace instructor::detail {

struct decode_ctx {
    struct depth_exceeded {};

    decode_options opts;
    std::string base_path;
    std::vector<frame> stack;
    std::vector<validation_issue> issues;
    std::size_t issue_total = 0;  // issues.size() plus the ones dropped past max_issues
    std::string scratch;          // a string being read by a sink that does not store it
    std::size_t scratch_len = 0;  // its full length (scratch is capped)
    std::string key_buf;          // a key split across input pieces
    std::vector<std::uint64_t> bits;  // seen-member bitsets of open model frames
    std::vector<std::unique_ptr<boost::json::value>> captures;  // open variant values
    std::uint64_t changes = 0;            // events that changed the value
    std::vector<bool> root_seen;          // members of the root model seen so far
    // Members seen of the stable nested models (frame::stable), once each: (object, index).
    std::vector<std::pair<void const*, std::uint32_t>> nested_seen;
    void const* root_target = nullptr;
    value_done_fn on_done = nullptr;
    void* on_done_context = nullptr;

    frame& top() noexcept { return stack.back(); }
    void push(frame f)
    {
        f.issues_at_start = issue_total;
        stack.push_back(f);
    }
    /// A new top frame, filled in place by the caller: a frame built apart and copied in is
    /// read back wider than it was written (a store-forwarding stall on every member and
    /// element, a tenth of a decode). The frames below may move: read them first.
    frame& push_new()
    {
        auto& ch = stack.emplace_back();
        ch.issues_at_start = issue_total;
        return ch;
    }
    /// Pops the top frame and tells its parent.
    void pop();

    std::string path_of(frame const& f) const;
    std::string child_path(frame const& f, std::string_view key) const;
    void add_issue(std::string path, issue_kind kind, std::string message);
    void add_issue(frame const& f, issue_kind kind, std::string message)
    {
        add_issue(path_of(f), kind, std::move(message));
    }
    /// Adds "... and N more issues" when issues were dropped.
    void close_issues();

    // Parser events, delivered to the top frame.
    void begin_object() { ++changes; auto& f = top(); f.vt->begin_object(*this, f); }
    void key(std::string_view k) { ++changes; auto& f = top(); f.vt->key(*this, f, k); }
    void end_object() { auto& f = top(); f.vt->end_object(*this, f); }
    void begin_array() { ++changes; auto& f = top(); f.vt->begin_array(*this, f); }
    void end_array() { auto& f = top(); f.vt->end_array(*this, f); }
    void string_part(std::string_view s) { ++changes; auto& f = top(); f.vt->string_part(*this, f, s); }
    void string_end(std::string_view s) { ++changes; auto& f = top(); f.vt->string_end(*this, f, s); }
    void number(detail::number const& n) { ++changes; auto& f = top(); f.vt->number(*this, f, n); }
    void boolean(bool b) { ++changes; auto& f = top(); f.vt->boolean(*this, f, b); }
    void null() { ++changes; auto& f = top(); f.vt->null(*this, f); }

    /// Replays a parsed value as events (decode_json_value, variant alternatives).
    void replay(boost::json::value const& v, std::size_t depth = 0);
};

// Inline: every value ends here, most of them scalars whose parent has nothing to do.
inline void decode_ctx::pop()
{
    if (on_done)
        on_done(on_done_context, stack.size() - 1, issue_total == stack.back().issues_at_start);
    stack.pop_back();
    if (stack.empty())
        return;
    frame& parent = stack.back();
    if (parent.vt->child_done)
        parent.vt->child_done(*this, parent);
}

/// The input value as an issue shows it, formatted only when an issue is raised: the number
/// given, or (when null) the string the sink collected in ctx.scratch.
struct shown {
    number const* num = nullptr;
};
std::string show(decode_ctx const& c, shown what);

/// The root frame of a decode.
frame root_frame(sink_ref root, void* target);

}  // namespace instructor::detail
