// Drives the frames from boost::json::basic_parser (the only place the parser is instantiated).
#include "context.hpp"

#include <instructor/detail/json_text.hpp>

#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>
#include <utility>

namespace instructor::detail {

// ---- decode_ctx --------------------------------------------------------------------------------

static void append_segment(std::string& path, frame const& f)
{
    if (f.key) {
        if (!path.empty())
            path.push_back('/');
        path.append(f.key, f.key_len);
    }
    else if (f.index != no_index) {
        if (!path.empty())
            path.push_back('/');
        path.append(std::to_string(f.index));
    }
}

std::string decode_ctx::path_of(frame const& f) const
{
    std::string path = base_path;
    for (frame const* p = stack.data(); p <= &f; ++p)
        append_segment(path, *p);
    return path;
}

std::string decode_ctx::child_path(frame const& f, std::string_view key) const
{
    std::string path = path_of(f);
    if (!path.empty())
        path.push_back('/');
    path.append(key);
    return path;
}

void decode_ctx::add_issue(std::string path, issue_kind kind, std::string message)
{
    ++issue_total;
    if (issues.size() < opts.max_issues)
        issues.push_back({std::move(path), std::move(message), kind});
}

void decode_ctx::close_issues()
{
    if (issue_total > issues.size())
        issues.push_back({{},
                          "... and " + std::to_string(issue_total - issues.size()) +
                              " more issues",
                          issue_kind::type});
}

void decode_ctx::replay(boost::json::value const& v, std::size_t depth)
{
    if (depth >= opts.max_depth) {
        // frames of the abandoned subtree stay open; the caller sees the syntax issue
        add_issue(base_path, issue_kind::syntax, "Invalid JSON: nesting exceeds the maximum depth");
        throw depth_exceeded{};
    }
    switch (v.kind()) {
    case boost::json::kind::object:
        begin_object();
        for (auto const& kv : v.get_object()) {
            key(kv.key());
            replay(kv.value(), depth + 1);
        }
        end_object();
        break;
    case boost::json::kind::array:
        begin_array();
        for (auto const& e : v.get_array())
            replay(e, depth + 1);
        end_array();
        break;
    case boost::json::kind::string: string_end(v.get_string()); break;
    case boost::json::kind::int64: number({number::i64, v.get_int64()}); break;
    case boost::json::kind::uint64: number({number::u64, 0, v.get_uint64()}); break;
    case boost::json::kind::double_: number({number::dbl, 0, 0, v.get_double()}); break;
    case boost::json::kind::bool_: boolean(v.get_bool()); break;
    case boost::json::kind::null: null(); break;
    }
}

std::string show(decode_ctx const& c, shown what)
{
    if (!what.num)
        return display_string(c.scratch, c.scratch_len) + " (string)";
    std::string s;
    switch (what.num->kind) {
    case number::i64: append_number(s, what.num->i); return s + " (integer)";
    case number::u64: append_number(s, what.num->u); return s + " (integer)";
    case number::dbl: return display_number(what.num->d) + " (number)";
    }
    return s;
}

frame root_frame(sink_ref root, void* target)
{
    frame f;
    f.vt = root.vt;
    f.meta = root.meta;
    f.target = target;
    f.stable = true;  // the caller's object: it stays where it is
    return f;
}

// ---- the parser handler ------------------------------------------------------------------------

namespace {

using boost::json::error_code;
using boost::json::string_view;

struct handler {
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);

    decode_ctx* c;

    explicit handler(decode_ctx* ctx) : c(ctx) {}

    // The root value closed: nothing may follow but whitespace (the parser reports that).
    bool live() const noexcept { return !c->stack.empty(); }

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }
    bool on_object_begin(error_code&) { return live() ? c->begin_object(), true : true; }
    bool on_object_end(std::size_t, error_code&) { return live() ? c->end_object(), true : true; }
    bool on_array_begin(error_code&) { return live() ? c->begin_array(), true : true; }
    bool on_array_end(std::size_t, error_code&) { return live() ? c->end_array(), true : true; }
    bool on_key_part(string_view s, std::size_t, error_code&)
    {
        c->key_buf.append(s.data(), s.size());
        return true;
    }
    bool on_key(string_view s, std::size_t, error_code&)
    {
        if (!live())
            return true;
        if (c->key_buf.empty()) {
            c->key(s);
        }
        else {
            c->key_buf.append(s.data(), s.size());
            c->key(c->key_buf);
            c->key_buf.clear();
        }
        return true;
    }
    bool on_string_part(string_view s, std::size_t, error_code&)
    {
        if (live())
            c->string_part(s);
        return true;
    }
    bool on_string(string_view s, std::size_t, error_code&)
    {
        if (live())
            c->string_end(s);
        return true;
    }
    bool on_number_part(string_view, error_code&) { return true; }
    bool on_int64(std::int64_t i, string_view, error_code&)
    {
        if (live())
            c->number({number::i64, i});
        return true;
    }
    bool on_uint64(std::uint64_t u, string_view, error_code&)
    {
        if (live())
            c->number({number::u64, 0, u});
        return true;
    }
    bool on_double(double d, string_view, error_code&)
    {
        if (live())
            c->number({number::dbl, 0, 0, d});
        return true;
    }
    bool on_bool(bool b, error_code&)
    {
        if (live())
            c->boolean(b);
        return true;
    }
    bool on_null(error_code&)
    {
        if (live())
            c->null();
        return true;
    }
    bool on_comment_part(string_view, error_code&) { return true; }
    bool on_comment(string_view, error_code&) { return true; }
};

boost::json::parse_options parse_options_for(decode_options const& o)
{
    boost::json::parse_options p;
    p.max_depth = o.max_depth;
    return p;
}

std::string describe_syntax_error(error_code const& ec)
{
    namespace je = boost::json;
    if (ec == je::error::incomplete)
        return "the text ends before the JSON value is complete";
    if (ec == je::error::extra_data)
        return "unexpected text after the JSON value";
    if (ec == je::error::too_deep)
        return "nesting exceeds the maximum depth";
    if (ec == je::error::syntax)
        return "syntax error";
    return ec.message();
}

}  // namespace

// ---- decode_session ----------------------------------------------------------------------------

struct decode_session::impl {
    decode_ctx ctx;
    boost::json::basic_parser<handler> parser;
    std::size_t consumed = 0;
    bool failed = false;
    bool finished = false;
    bool trailing_ok = false;

    std::size_t const depth;  // the parser's max_depth, fixed when it is made

    impl(decode_options const& opts)
        : parser(parse_options_for(opts), &ctx), depth(opts.max_depth)
    {
    }

    /// Ready for a new document as if new, keeping the memory of its frame stack, bitsets and
    /// the parser's own stack.
    void renew() noexcept
    {
        auto stack = std::move(ctx.stack);
        auto bits = std::move(ctx.bits);
        auto seen = std::move(ctx.root_seen);
        stack.clear();
        bits.clear();
        seen.clear();
        ctx = decode_ctx{};
        ctx.stack = std::move(stack);
        ctx.bits = std::move(bits);
        ctx.root_seen = std::move(seen);
        parser.reset();
        consumed = 0;
        failed = finished = trailing_ok = false;
    }

    void syntax_error(error_code const& ec, std::size_t offset, std::string_view near)
    {
        failed = true;
        std::string m = "Invalid JSON at byte " + std::to_string(offset) + ": " +
                        describe_syntax_error(ec);
        // Issues found before the break describe a document that does not exist: only the
        // syntax error is worth the model's attention.
        ctx.issues.clear();
        ctx.issue_total = 0;
        near = near.substr(0, 24);
        if (!near.empty()) {
            m += " near ";
            m += display_string(near, near.size());
        }
        ctx.add_issue(ctx.base_path, issue_kind::syntax, std::move(m));
    }
};

namespace {

// A decode's state, kept by its thread for the next decode there: a call's decode then takes
// none of its blocks (the state, the frame stack, the parser's stack) from the allocator, as
// Asio keeps its coroutine frames. One a thread, emptied when kept (it holds nothing of the
// last document), and only a state of a depth limit and a frame stack this small (the
// parser's stack grows with the depth: a deep document's is given back). (Templates:
// decode_session::impl is private; its members name it.)
constexpr std::size_t kept_frames = 64;
constexpr std::size_t kept_depth = 256;

thread_local bool spare_gone = false;  // trivially destructible: readable after the slot ends

template <class Impl>
struct spare_slot {
    Impl* kept = nullptr;
    ~spare_slot()
    {
        spare_gone = true;
        delete std::exchange(kept, nullptr);
    }
};

template <class Impl>
spare_slot<Impl>& spare()
{
    thread_local spare_slot<Impl> slot;
    return slot;
}

template <class Impl>
std::unique_ptr<Impl> take_state(decode_options const& opts)
{
    if (!spare_gone) {
        auto& slot = spare<Impl>();
        if (slot.kept && slot.kept->depth == opts.max_depth)
            return std::unique_ptr<Impl>(std::exchange(slot.kept, nullptr));
    }
    return std::make_unique<Impl>(opts);
}

template <class Impl>
void keep_state(std::unique_ptr<Impl> p) noexcept
{
    if (!p || spare_gone || p->ctx.stack.capacity() > kept_frames || p->depth > kept_depth)
        return;  // freed here
    auto& slot = spare<Impl>();
    if (!slot.kept) {
        p->renew();
        slot.kept = p.release();
    }
}

}  // namespace

decode_session::decode_session(sink_ref root, void* target, decode_options const& opts,
                               std::string base_path)
    : impl_(take_state<impl>(opts))
{
    impl_->ctx.opts = opts;
    impl_->ctx.base_path = std::move(base_path);
    impl_->ctx.stack.reserve(16);
    impl_->ctx.root_target = target;
    impl_->ctx.push(root_frame(root, target));
}

decode_session::~decode_session() { keep_state(std::move(impl_)); }
decode_session::decode_session(decode_session&&) noexcept = default;
decode_session& decode_session::operator=(decode_session&& o) noexcept
{
    auto taken = std::move(o.impl_);  // first: a session moved to itself keeps its state
    keep_state(std::move(impl_));
    impl_ = std::move(taken);
    return *this;
}

bool decode_session::write(std::string_view piece)
{
    auto& d = *impl_;
    if (d.failed || d.finished)
        return !d.failed;
    error_code ec;
    std::size_t n = d.parser.write_some(true, piece.data(), piece.size(), ec);
    if (!ec && n < piece.size()) {
        // The parser stops after the root value; what follows may only be whitespace.
        auto rest = piece.substr(n);
        auto junk = rest.find_first_not_of(" \t\r\n");
        if (junk != std::string_view::npos && !d.trailing_ok) {
            d.syntax_error(boost::json::error::extra_data, d.consumed + n + junk, rest.substr(junk));
            return false;
        }
        n = piece.size();
    }
    if (ec) {
        d.syntax_error(ec, d.consumed + n, piece.substr(std::min(n, piece.size())));
        return false;
    }
    d.consumed += n;
    return true;
}

bool decode_session::finish()
{
    auto& d = *impl_;
    if (!d.finished) {
        d.finished = true;
        if (!d.failed && !d.parser.done()) {
            error_code ec;
            d.parser.write_some(false, nullptr, 0, ec);
            if (ec)
                d.syntax_error(ec, d.consumed, {});
        }
        d.ctx.close_issues();
    }
    return ok();
}

bool decode_session::ok() const noexcept
{
    return impl_->finished && !impl_->failed && impl_->ctx.issues.empty() &&
           impl_->ctx.stack.empty();
}

bool decode_session::done() const noexcept { return impl_->ctx.stack.empty(); }

std::uint64_t decode_session::changes() const noexcept { return impl_->ctx.changes; }

bool decode_session::root_member_seen(std::size_t index) const noexcept
{
    auto const& seen = impl_->ctx.root_seen;
    return index < seen.size() && seen[index];
}

bool decode_session::member_seen(void const* object, std::size_t index) const noexcept
{
    auto const& c = impl_->ctx;
    if (object == c.root_target)
        return root_member_seen(index);
    std::pair<void const*, std::uint32_t> const at{object, static_cast<std::uint32_t>(index)};
    return std::find(c.nested_seen.begin(), c.nested_seen.end(), at) != c.nested_seen.end();
}

void decode_session::ignore_trailing_text() noexcept { impl_->trailing_ok = true; }

void decode_session::set_observer(value_done_fn fn, void* context) noexcept
{
    impl_->ctx.on_done = fn;
    impl_->ctx.on_done_context = context;
}

std::vector<validation_issue> const& decode_session::issues() const noexcept
{
    return impl_->ctx.issues;
}

std::vector<validation_issue> decode_session::take_issues() noexcept
{
    return std::move(impl_->ctx.issues);
}

bool decode_json_value(sink_ref root, void* target, boost::json::value const& v,
                       decode_options const& opts, std::string const& base_path,
                       std::vector<validation_issue>& out)
{
    decode_ctx ctx;
    ctx.opts = opts;
    ctx.base_path = base_path;
    ctx.push(root_frame(root, target));
    try {
        ctx.replay(v);
    }
    catch (decode_ctx::depth_exceeded const&) {
    }
    ctx.close_issues();
    bool ok = ctx.issues.empty();
    for (auto& i : ctx.issues)
        out.push_back(std::move(i));
    return ok;
}

}  // namespace instructor::detail
