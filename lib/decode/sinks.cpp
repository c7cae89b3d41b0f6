// The sinks: what each kind of C++ target does with each parser event.
#include "context.hpp"
#include "checks.hpp"

#include <instructor/detail/json_text.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace instructor::detail {
namespace {

// ---- finding and describing what arrived --------------------------------------------------

constexpr std::size_t scratch_cap = 256;

void collect(decode_ctx& c, frame& f, std::string_view part)
{
    if (f.state == 0) {
        c.scratch.clear();
        c.scratch_len = 0;
        f.state = 1;
    }
    c.scratch_len += part.size();
    if (c.scratch.size() < scratch_cap)
        c.scratch.append(part.substr(0, scratch_cap - c.scratch.size()));
}

/// The whole string read by a non-storing sink; `complete` is false when it was cut at the cap.
std::string_view collected(decode_ctx& c, frame& f, std::string_view last, bool& complete)
{
    collect(c, f, last);
    complete = c.scratch_len == c.scratch.size();
    return c.scratch;
}

constexpr shown the_string{};

void type_issue(decode_ctx& c, frame const& f, std::string_view expected, std::string_view found)
{
    std::string m = "Input should be ";
    m.append(expected).append(", got ").append(found);
    c.add_issue(f, issue_kind::type, std::move(m));
}

void type_issue(decode_ctx& c, frame const& f, std::string_view expected, shown found)
{
    type_issue(c, f, expected, show(c, found));
}

/// Turns the frame into one that skips the rest of the value it started.
void skip_rest(frame& f);

// ---- defaults: a sink rejects what it does not override -----------------------------------

// Each sink is a struct with a static `expected(frame)` and the handlers it accepts; make_vt
// fills the rest with handlers that report a type issue naming what was expected.
template <class S>
void reject_object(decode_ctx& c, frame& f)
{
    type_issue(c, f, S::expected(f), "an object");
    skip_rest(f);
}
template <class S>
void reject_array(decode_ctx& c, frame& f)
{
    type_issue(c, f, S::expected(f), "an array");
    skip_rest(f);
}
template <class S>
void reject_string_end(decode_ctx& c, frame& f, std::string_view last)
{
    bool complete;
    collected(c, f, last, complete);
    type_issue(c, f, S::expected(f), the_string);
    c.pop();
}
template <class S>
void reject_number(decode_ctx& c, frame& f, number const& n)
{
    type_issue(c, f, S::expected(f), shown{&n});
    c.pop();
}
template <class S>
void reject_bool(decode_ctx& c, frame& f, bool b)
{
    type_issue(c, f, S::expected(f), b ? "true (boolean)" : "false (boolean)");
    c.pop();
}
template <class S>
void reject_null(decode_ctx& c, frame& f)
{
    type_issue(c, f, S::expected(f), "null");
    c.pop();
}
void ignore_key(decode_ctx&, frame&, std::string_view) {}
void ignore(decode_ctx&, frame&) {}

template <class S>
constexpr sink_vtable make_vt()
{
    sink_vtable vt{&reject_object<S>, &ignore_key,       &ignore,         &reject_array<S>,
                   &ignore,           &collect,          &reject_string_end<S>,
                   &reject_number<S>, &reject_bool<S>,   &reject_null<S>, nullptr};
    if constexpr (requires { &S::begin_object; }) vt.begin_object = &S::begin_object;
    if constexpr (requires { &S::key; }) vt.key = &S::key;
    if constexpr (requires { &S::end_object; }) vt.end_object = &S::end_object;
    if constexpr (requires { &S::begin_array; }) vt.begin_array = &S::begin_array;
    if constexpr (requires { &S::end_array; }) vt.end_array = &S::end_array;
    if constexpr (requires { &S::string_part; }) vt.string_part = &S::string_part;
    if constexpr (requires { &S::string_end; }) vt.string_end = &S::string_end;
    if constexpr (requires { &S::number; }) vt.number = &S::number;
    if constexpr (requires { &S::boolean; }) vt.boolean = &S::boolean;
    if constexpr (requires { &S::null; }) vt.null = &S::null;
    if constexpr (requires { &S::child_done; }) vt.child_done = &S::child_done;
    return vt;
}

// ---- skip: consumes one value of any shape --------------------------------------------------

struct skip_s {
    static std::string_view expected(frame const&) { return {}; }
    static void begin_object(decode_ctx&, frame& f) { f.state = 2, ++f.count; }
    static void begin_array(decode_ctx&, frame& f) { f.state = 2, ++f.count; }
    static void end_object(decode_ctx& c, frame& f) { close(c, f); }
    static void end_array(decode_ctx& c, frame& f) { close(c, f); }
    static void string_part(decode_ctx&, frame&, std::string_view) {}
    static void string_end(decode_ctx& c, frame& f, std::string_view) { scalar(c, f); }
    static void number(decode_ctx& c, frame& f, detail::number const&) { scalar(c, f); }
    static void boolean(decode_ctx& c, frame& f, bool) { scalar(c, f); }
    static void null(decode_ctx& c, frame& f) { scalar(c, f); }

    static void scalar(decode_ctx& c, frame& f)
    {
        if (f.count == 0)
            c.pop();
    }
    static void close(decode_ctx& c, frame& f)
    {
        if (--f.count == 0)
            c.pop();
    }
};
constexpr sink_vtable skip_vt = make_vt<skip_s>();

void skip_rest(frame& f)
{
    f.vt = &skip_vt;
    f.state = 2;
    f.count = 1;
}

frame skip_frame()
{
    frame f;
    f.vt = &skip_vt;
    return f;
}

// ---- scalars ----------------------------------------------------------------------------------

template <class T>
T& target(frame& f)
{
    return *static_cast<T*>(f.target);
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

struct bool_s {
    static std::string_view expected(frame const&) { return "a valid boolean"; }
    static void boolean(decode_ctx& c, frame& f, bool b)
    {
        target<bool>(f) = b;
        c.pop();
    }
    static void number(decode_ctx& c, frame& f, detail::number const& n)
    {
        if (c.opts.coerce && n.kind == number::i64 && (n.i == 0 || n.i == 1))
            return boolean(c, f, n.i == 1);
        reject_number<bool_s>(c, f, n);
    }
    static void string_end(decode_ctx& c, frame& f, std::string_view last)
    {
        bool complete;
        auto s = trim(collected(c, f, last, complete));
        if (c.opts.coerce && complete) {
            for (auto t : {"true", "yes", "on", "1"})
                if (iequals(s, t))
                    return boolean(c, f, true);
            for (auto t : {"false", "no", "off", "0"})
                if (iequals(s, t))
                    return boolean(c, f, false);
        }
        type_issue(c, f, expected(f), the_string);
        c.pop();
    }
};

struct integer_s {
    static std::string_view expected(frame const&) { return "a valid integer"; }
    static integer_meta const& meta(frame const& f) { return *static_cast<integer_meta const*>(f.meta); }

    static void range_issue(decode_ctx& c, frame& f, shown found)
    {
        auto const& m = meta(f);
        std::string e = "an integer between ";
        append_number(e, m.min);
        e += " and ";
        append_number(e, m.max);
        e.append(" (").append(m.type_name).append(")");
        type_issue(c, f, e, found);
    }
    static void store_signed(decode_ctx& c, frame& f, std::int64_t v, shown found)
    {
        auto const& m = meta(f);
        if (v < m.min || (v >= 0 && static_cast<std::uint64_t>(v) > m.max))
            return range_issue(c, f, found);
        m.assign(f.target, v);
        check_number(c, f, static_cast<double>(v), found);
    }
    static void store_unsigned(decode_ctx& c, frame& f, std::uint64_t v, shown found)
    {
        auto const& m = meta(f);
        if (v > m.max)
            return range_issue(c, f, found);
        m.assign_unsigned(f.target, v);
        check_number(c, f, static_cast<double>(v), found);
    }
    static void store_double(decode_ctx& c, frame& f, double d, shown found)
    {
        if (!c.opts.coerce)
            return type_issue(c, f, expected(f), found);
        if (!std::isfinite(d) || d != std::trunc(d))
            return type_issue(c, f, "a valid integer without a fractional part", found);
        // 2^63 and 2^64 are exact doubles: compare against them, never against a cast max.
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0)
            return store_signed(c, f, static_cast<std::int64_t>(d), found);
        if (d >= 0 && d < 18446744073709551616.0)
            return store_unsigned(c, f, static_cast<std::uint64_t>(d), found);
        range_issue(c, f, found);
    }

    static void number(decode_ctx& c, frame& f, detail::number const& n)
    {
        shown found{&n};
        switch (n.kind) {
        case number::i64: store_signed(c, f, n.i, found); break;
        case number::u64: store_unsigned(c, f, n.u, found); break;
        case number::dbl: store_double(c, f, n.d, found); break;
        }
        c.pop();
    }
    static void string_end(decode_ctx& c, frame& f, std::string_view last)
    {
        bool complete;
        auto s = trim(collected(c, f, last, complete));
        shown found = the_string;
        if (c.opts.coerce && complete && !s.empty()) {
            char const* end = s.data() + s.size();
            std::int64_t i;
            if (auto r = std::from_chars(s.data(), end, i); r.ec == std::errc{} && r.ptr == end) {
                store_signed(c, f, i, found);
                return c.pop();
            }
            std::uint64_t u;
            if (auto r = std::from_chars(s.data(), end, u); r.ec == std::errc{} && r.ptr == end) {
                store_unsigned(c, f, u, found);
                return c.pop();
            }
            double d;
            if (auto r = std::from_chars(s.data(), end, d); r.ec == std::errc{} && r.ptr == end) {
                store_double(c, f, d, found);
                return c.pop();
            }
        }
        type_issue(c, f, expected(f), found);
        c.pop();
    }
};

struct floating_s {
    static std::string_view expected(frame const&) { return "a valid number"; }
    static void store(decode_ctx& c, frame& f, double d, shown found)
    {
        auto const& m = *static_cast<floating_meta const*>(f.meta);
        if (!std::isfinite(d))
            return type_issue(c, f, "a finite number", found);
        if (std::fabs(d) > m.max)
            return type_issue(c, f,
                              "a number between -" + display_number(m.max) + " and " +
                                  display_number(m.max) + " (float)",
                              found);
        m.assign(f.target, d);
        check_number(c, f, d, found);
    }
    static void number(decode_ctx& c, frame& f, detail::number const& n)
    {
        double d = n.kind == number::i64   ? static_cast<double>(n.i)
                   : n.kind == number::u64 ? static_cast<double>(n.u)
                                           : n.d;
        store(c, f, d, shown{&n});
        c.pop();
    }
    static void string_end(decode_ctx& c, frame& f, std::string_view last)
    {
        bool complete;
        auto s = trim(collected(c, f, last, complete));
        shown found = the_string;
        double d;
        char const* end = s.data() + s.size();
        if (c.opts.coerce && complete && !s.empty()) {
            if (auto r = std::from_chars(s.data(), end, d); r.ec == std::errc{} && r.ptr == end) {
                store(c, f, d, found);
                return c.pop();
            }
        }
        type_issue(c, f, expected(f), found);
        c.pop();
    }
};

struct string_s {
    static std::string_view expected(frame const&) { return "a valid string"; }
    /// The string's first piece: `room` is what it is made room for when the target has less.
    static void first(frame& f, std::string_view s, std::size_t room)
    {
        auto& t = target<std::string>(f);
        if (t.capacity() < s.size()) {
            std::string made;  // assign() would grow the old one
            made.reserve(room);
            made.assign(s);
            t = std::move(made);
        }
        else {
            t.assign(s);
        }
        f.state = 1;
    }
    static void string_part(decode_ctx&, frame& f, std::string_view s)
    {
        // Appended in place: a streamed string grows where the caller can see it. More comes
        // after a first piece (cut at an escape, or where a piece of the input ends): room.
        if (f.state == 0)
            first(f, s, std::max<std::size_t>(2 * s.size(), 64));
        else
            target<std::string>(f).append(s);
    }
    static void string_end(decode_ctx& c, frame& f, std::string_view s)
    {
        if (f.state == 0)
            first(f, s, s.size());  // the whole string: made to size
        else
            target<std::string>(f).append(s);
        check_string(c, f, target<std::string>(f));
        c.pop();
    }
};

struct enum_s {
    static enum_meta const& meta(frame const& f) { return *static_cast<enum_meta const*>(f.meta); }
    static std::string expected(frame const& f)
    {
        auto const& m = meta(f);
        std::string e;
        for (std::size_t i = 0; i < m.size; ++i) {
            if (i)
                e += i + 1 == m.size ? " or " : ", ";
            e.append("'").append(m.names[i]).append("'");
        }
        return e;
    }
    static void string_end(decode_ctx& c, frame& f, std::string_view last)
    {
        bool complete;
        auto s = collected(c, f, last, complete);
        auto const& m = meta(f);
        if (complete) {
            for (std::size_t i = 0; i < m.size; ++i)
                if (m.names[i] == s) {
                    m.assign(f.target, i);
                    return c.pop();
                }
            // Lax: models often capitalise ("High" for "high"); accept when unambiguous.
            if (c.opts.coerce) {
                std::size_t hit = m.size, hits = 0;
                for (std::size_t i = 0; i < m.size; ++i)
                    if (iequals(m.names[i], trim(s)))
                        hit = i, ++hits;
                if (hits == 1) {
                    m.assign(f.target, hit);
                    return c.pop();
                }
            }
        }
        type_issue(c, f, expected(f), the_string);
        c.pop();
    }
};

// ---- any JSON ---------------------------------------------------------------------------------

struct json_s {
    static std::string_view expected(frame const&) { return {}; }
    static boost::json::value& v(frame& f) { return target<boost::json::value>(f); }

    // state: 0 fresh, 1 object, 2 array, 3 string
    static frame child(frame const& f, void* t)
    {
        frame ch;
        ch.vt = f.vt;
        ch.target = t;
        return ch;
    }
    /// In an array, a value starts: append a slot and hand the event to it.
    static bool element(decode_ctx& c, frame& f)
    {
        if (f.state != 2)
            return false;
        auto& arr = v(f).get_array();
        arr.emplace_back(nullptr);
        frame ch = child(f, &arr.back());
        ch.index = static_cast<std::uint32_t>(arr.size() - 1);
        c.push(ch);
        return true;
    }
    static void begin_object(decode_ctx& c, frame& f)
    {
        if (element(c, f))
            return c.begin_object();
        v(f).emplace_object();
        f.state = 1;
    }
    static void key(decode_ctx& c, frame& f, std::string_view k)
    {
        // A repeated key: the last one wins.
        auto it = v(f).get_object().insert_or_assign(k, nullptr).first;
        frame ch = child(f, &it->value());
        ch.key = it->key().data();
        ch.key_len = static_cast<std::uint32_t>(it->key().size());
        c.push(ch);
    }
    static void end_object(decode_ctx& c, frame&) { c.pop(); }
    static void begin_array(decode_ctx& c, frame& f)
    {
        if (element(c, f))
            return c.begin_array();
        v(f).emplace_array();
        f.state = 2;
    }
    static void end_array(decode_ctx& c, frame&) { c.pop(); }
    static void string_part(decode_ctx& c, frame& f, std::string_view s)
    {
        if (element(c, f))
            return c.string_part(s);
        if (f.state == 0) {
            v(f).emplace_string().assign(s);
            f.state = 3;
        }
        else {
            v(f).get_string().append(s);
        }
    }
    static void string_end(decode_ctx& c, frame& f, std::string_view s)
    {
        if (element(c, f))
            return c.string_end(s);
        string_part(c, f, s);
        c.pop();
    }
    static void number(decode_ctx& c, frame& f, detail::number const& n)
    {
        if (element(c, f))
            return c.number(n);
        switch (n.kind) {
        case number::i64: v(f) = n.i; break;
        case number::u64: v(f) = n.u; break;
        case number::dbl: v(f) = n.d; break;
        }
        c.pop();
    }
    static void boolean(decode_ctx& c, frame& f, bool b)
    {
        if (element(c, f))
            return c.boolean(b);
        v(f) = b;
        c.pop();
    }
    static void null(decode_ctx& c, frame& f)
    {
        if (element(c, f))
            return c.null();
        v(f) = nullptr;
        c.pop();
    }
};

// ---- optional: null, or becomes the inner sink --------------------------------------------------

struct optional_s {
    static std::string_view expected(frame const&) { return {}; }
    static void become_inner(frame& f)
    {
        auto const& m = *static_cast<optional_meta const*>(f.meta);
        sink_ref inner = m.inner();
        f.target = m.emplace(f.target);
        f.vt = inner.vt;
        f.meta = inner.meta;
        f.state = 0;
    }
    static void null(decode_ctx& c, frame& f)
    {
        static_cast<optional_meta const*>(f.meta)->reset(f.target);
        c.pop();
    }
    static void begin_object(decode_ctx& c, frame& f) { become_inner(f), c.begin_object(); }
    static void begin_array(decode_ctx& c, frame& f) { become_inner(f), c.begin_array(); }
    static void string_part(decode_ctx& c, frame& f, std::string_view s) { become_inner(f), c.string_part(s); }
    static void string_end(decode_ctx& c, frame& f, std::string_view s) { become_inner(f), c.string_end(s); }
    static void number(decode_ctx& c, frame& f, detail::number const& n) { become_inner(f), c.number(n); }
    static void boolean(decode_ctx& c, frame& f, bool b) { become_inner(f), c.boolean(b); }
};

// ---- containers -----------------------------------------------------------------------------

/// Shared by the list sinks: once the array began, every value start pushes an element frame
/// and hands the event on; before that, the event is a type mismatch.
template <class S>
struct list_events {
    static void begin_object(decode_ctx& c, frame& f)
    {
        if (f.state == 0)
            return reject_object<S>(c, f);
        S::push_element(c, f), c.begin_object();
    }
    static void begin_array(decode_ctx& c, frame& f)
    {
        if (f.state == 0)
            return S::start(c, f);
        S::push_element(c, f), c.begin_array();
    }
    static void string_part(decode_ctx& c, frame& f, std::string_view s)
    {
        if (f.state == 0)
            return collect(c, f, s);
        if (f.state == 1)  // still in "collect" state for a rejected string
            return collect(c, f, s);
        S::push_element(c, f), c.string_part(s);
    }
    static void string_end(decode_ctx& c, frame& f, std::string_view s)
    {
        if (f.state < 2)
            return reject_string_end<S>(c, f, s);
        S::push_element(c, f), c.string_end(s);
    }
    static void number(decode_ctx& c, frame& f, detail::number const& n)
    {
        if (f.state == 0)
            return reject_number<S>(c, f, n);
        S::push_element(c, f), c.number(n);
    }
    static void boolean(decode_ctx& c, frame& f, bool b)
    {
        if (f.state == 0)
            return reject_bool<S>(c, f, b);
        S::push_element(c, f), c.boolean(b);
    }
    static void null(decode_ctx& c, frame& f)
    {
        if (f.state == 0)
            return reject_null<S>(c, f);
        S::push_element(c, f), c.null();
    }
};

// state: 0 fresh, 1 collecting a rejected string, 2 in the array
struct vector_s : list_events<vector_s> {
    static std::string_view expected(frame const&) { return "a valid array"; }
    static vector_meta const& meta(frame const& f) { return *static_cast<vector_meta const*>(f.meta); }
    static void start(decode_ctx&, frame& f)
    {
        meta(f).clear(f.target);
        f.state = 2;
        f.count = 0;
    }
    static void push_element(decode_ctx& c, frame& f)
    {
        auto const& m = meta(f);
        sink_ref const s = m.element();
        void* const target = m.emplace_back(f.target);
        auto const index = f.count++;
        auto& ch = c.push_new();  // `f` may have moved
        ch.vt = s.vt;
        ch.meta = s.meta;
        ch.target = target;
        ch.index = index;
    }
    static void end_array(decode_ctx& c, frame& f)
    {
        check_items(c, f, f.count);
        c.pop();
    }
};

struct map_s {
    static std::string_view expected(frame const&) { return "an object"; }
    static void begin_object(decode_ctx&, frame& f)
    {
        static_cast<map_meta const*>(f.meta)->clear(f.target);
        f.state = 2;
    }
    static void key(decode_ctx& c, frame& f, std::string_view k)
    {
        auto const& m = *static_cast<map_meta const*>(f.meta);
        sink_ref s = m.value();
        std::string_view stored;
        frame ch;
        ch.target = m.emplace(f.target, k, &stored);
        ch.vt = s.vt;
        ch.meta = s.meta;
        ch.key = stored.data();
        ch.key_len = static_cast<std::uint32_t>(stored.size());
        c.push(ch);
    }
    static void end_object(decode_ctx& c, frame&) { c.pop(); }
};

// ---- models ----------------------------------------------------------------------------------

template <class W>
W load(char const* p) noexcept
{
    W w;
    std::memcpy(&w, p, sizeof w);
    return w;
}

/// A key against a member's name, a word at a time: names are short and compared once per key,
/// where a call to memcmp cost more than the comparison.
inline bool same_name(std::string_view name, std::string_view key) noexcept
{
    std::size_t const n = name.size();
    if (n != key.size())
        return false;
    char const* a = name.data();
    char const* b = key.data();
    if (n >= 8) {
        std::size_t i = 0;
        for (; i + 8 <= n; i += 8)
            if (load<std::uint64_t>(a + i) != load<std::uint64_t>(b + i))
                return false;
        // the tail as the last eight bytes, overlapping what was compared
        return i == n || load<std::uint64_t>(a + n - 8) == load<std::uint64_t>(b + n - 8);
    }
    if (n >= 4)
        return load<std::uint32_t>(a) == load<std::uint32_t>(b) &&
               load<std::uint32_t>(a + n - 4) == load<std::uint32_t>(b + n - 4);
    for (std::size_t i = 0; i < n; ++i)
        if (a[i] != b[i])
            return false;
    return true;
}

// state: 0 fresh, else 1 + index of the member after the last one matched (the likely next key).
// count: offset of this frame's seen-bitset in ctx.bits. mark: issue_total at the '{'.
struct model_s {
    static std::string_view expected(frame const&) { return "an object"; }
    static model_meta const& meta(frame const& f) { return *static_cast<model_meta const*>(f.meta); }

    static void begin_object(decode_ctx& c, frame& f)
    {
        auto const& m = meta(f);
        f.state = 1;
        f.count = static_cast<std::uint32_t>(c.bits.size());
        f.mark = c.issue_total;
        for (std::size_t w = 0; w < (m.size + 63) / 64; ++w)  // not resize: no call
            c.bits.push_back(0);
    }
    static std::size_t find(model_meta const& m, std::size_t hint, std::string_view k)
    {
        if (hint < m.size && same_name(m.members[hint].name, k))
            return hint;
        for (std::size_t i = 0; i < m.size; ++i)
            if (same_name(m.members[i].name, k))
                return i;
        return m.size;
    }
    static void key(decode_ctx& c, frame& f, std::string_view k)
    {
        auto const& m = meta(f);
        std::size_t i = find(m, f.state - 1, k);
        if (i == m.size) {
            if (!c.opts.allow_extra)
                c.add_issue(c.child_path(f, k), issue_kind::extra,
                            "Extra inputs are not permitted");
            return c.push(skip_frame());
        }
        f.state = static_cast<std::uint32_t>(i + 2);
        c.bits[f.count + i / 64] |= std::uint64_t(1) << (i % 64);
        if (&f == c.stack.data()) {  // the root: remembered for partial<T>::has()
            if (c.root_seen.size() < m.size)
                c.root_seen.resize(m.size);
            c.root_seen[i] = true;
        }
        else if (f.stable) {  // a nested model at a fixed address: has() with a member chain
            std::pair<void const*, std::uint32_t> const at{f.target, static_cast<std::uint32_t>(i)};
            if (std::find(c.nested_seen.begin(), c.nested_seen.end(), at) == c.nested_seen.end())
                c.nested_seen.push_back(at);
        }
        auto const& e = m.members[i];
        sink_ref const s = e.sink;
        bool const stable = f.stable && s.vt == &model_sink();
        void* const target = e.address(f.target);
        auto& ch = c.push_new();  // `f` may have moved
        ch.stable = stable;
        ch.vt = s.vt;
        ch.meta = s.meta;
        ch.target = target;
        ch.info = e.info;
        ch.key = e.name.data();
        ch.key_len = static_cast<std::uint32_t>(e.name.size());
    }
    static void end_object(decode_ctx& c, frame& f)
    {
        auto const& m = meta(f);
        for (std::size_t i = 0; i < m.size; ++i) {
            bool seen = c.bits[f.count + i / 64] & (std::uint64_t(1) << (i % 64));
            if (!seen && m.members[i].required)
                c.add_issue(c.child_path(f, m.members[i].name), issue_kind::missing,
                            "Field required");
        }
        c.bits.resize(f.count);
        if (m.validate && c.issue_total == f.mark) {
            std::vector<validation_issue> found;
            validation_context ctx(found, c.path_of(f), c.opts.context);
            m.validate(f.target, ctx);
            for (auto& i : found)
                c.add_issue(std::move(i.path), issue_kind::custom, std::move(i.message));
        }
        c.pop();
    }
};

// ---- variants: the value is captured, then each alternative is tried --------------------------

// state: 0 fresh, 1 capturing
struct variant_s {
    static std::string_view expected(frame const&) { return {}; }
    static void capture(decode_ctx& c, frame& f)
    {
        f.state = 1;
        c.captures.push_back(std::make_unique<boost::json::value>());
        frame ch;
        ch.vt = &json_value_sink();
        ch.target = c.captures.back().get();
        c.push(ch);
    }
    static void begin_object(decode_ctx& c, frame& f) { capture(c, f), c.begin_object(); }
    static void begin_array(decode_ctx& c, frame& f) { capture(c, f), c.begin_array(); }
    static void string_part(decode_ctx& c, frame& f, std::string_view s) { capture(c, f), c.string_part(s); }
    static void string_end(decode_ctx& c, frame& f, std::string_view s) { capture(c, f), c.string_end(s); }
    static void number(decode_ctx& c, frame& f, detail::number const& n) { capture(c, f), c.number(n); }
    static void boolean(decode_ctx& c, frame& f, bool b) { capture(c, f), c.boolean(b); }
    static void null(decode_ctx& c, frame& f) { capture(c, f), c.null(); }

    static void child_done(decode_ctx& c, frame& f)
    {
        auto value = std::move(c.captures.back());
        c.captures.pop_back();
        auto const& m = *static_cast<variant_meta const*>(f.meta);
        std::string path = c.path_of(f);
        // First pass: an alternative that takes every key exactly, so {name, age} picks the
        // model that has both rather than the first one that ignores `age`.
        decode_options exact = c.opts;
        exact.allow_extra = false;
        std::vector<validation_issue> discard;
        for (std::size_t i = 0; i < m.size; ++i) {
            discard.clear();
            if (m.try_alternative(i, f.target, *value, exact, path, discard))
                return c.pop();
        }
        std::vector<validation_issue> all;
        for (std::size_t i = 0; i < m.size; ++i) {
            std::vector<validation_issue> issues;
            std::string base = path.empty() ? std::string(m.names[i])
                                            : path + "/" + std::string(m.names[i]);
            if (m.try_alternative(i, f.target, *value, c.opts, base, issues))
                return c.pop();
            for (auto& is : issues)
                all.push_back(std::move(is));
        }
        for (auto& is : all)
            c.add_issue(std::move(is.path), is.kind, std::move(is.message));
        c.pop();
    }
};

constexpr sink_vtable bool_vt = make_vt<bool_s>();
constexpr sink_vtable integer_vt = make_vt<integer_s>();
constexpr sink_vtable floating_vt = make_vt<floating_s>();
constexpr sink_vtable string_vt = make_vt<string_s>();
constexpr sink_vtable json_vt = make_vt<json_s>();
constexpr sink_vtable enum_vt = make_vt<enum_s>();
constexpr sink_vtable optional_vt = make_vt<optional_s>();
constexpr sink_vtable vector_vt = make_vt<vector_s>();
constexpr sink_vtable map_vt = make_vt<map_s>();
constexpr sink_vtable model_vt = make_vt<model_s>();
constexpr sink_vtable variant_vt = make_vt<variant_s>();

}  // namespace

sink_vtable const& bool_sink() noexcept { return bool_vt; }
sink_vtable const& integer_sink() noexcept { return integer_vt; }
sink_vtable const& floating_sink() noexcept { return floating_vt; }
sink_vtable const& string_sink() noexcept { return string_vt; }
sink_vtable const& json_value_sink() noexcept { return json_vt; }
sink_vtable const& enum_sink() noexcept { return enum_vt; }
sink_vtable const& optional_sink() noexcept { return optional_vt; }
sink_vtable const& vector_sink() noexcept { return vector_vt; }
sink_vtable const& map_sink() noexcept { return map_vt; }
sink_vtable const& model_sink() noexcept { return model_vt; }
sink_vtable const& variant_sink() noexcept { return variant_vt; }

}  // namespace instructor::detail
