// A request body written straight to its bytes: each piece serialized where it lives (the
// conversation, a type's schema), no tree of the whole body built per call. What it writes is
// what json::serialize writes for the tree with the same members in the same order (the wires'
// tests compare the two byte for byte).
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/serializer.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace instructor::detail {

class json_writer {
public:
    /// Writes into the room the thread's last writer grew into (at least `reserve` bytes).
    explicit json_writer(std::size_t reserve = 512);
    /// Leaves its room to the thread's next writer.
    ~json_writer();
    json_writer(json_writer const&) = delete;
    json_writer& operator=(json_writer const&) = delete;

    json_writer& open() { return punct('{'); }
    json_writer& close() { return punct('}', false); }
    json_writer& open_array() { return punct('['); }
    json_writer& close_array() { return punct(']', false); }
    /// A member's key: `"key":`, after a comma when it is not the object's first.
    json_writer& key(std::string_view k);
    /// A literal key (the wires' own member names: nothing in them to escape), in one append.
    template <std::size_t N>
    json_writer& key(char const (&k)[N])
    {
        return literal(k, N - 1, true);
    }
    template <std::size_t N>
    json_writer& key(char (&)[N]) = delete;  // a buffer, not a literal: as a std::string_view
    json_writer& string(std::string_view s);
    /// A literal string (a wire's own value: "function", "user"), in one append.
    template <std::size_t N>
    json_writer& string(char const (&s)[N])
    {
        return literal(s, N - 1, false);
    }
    template <std::size_t N>
    json_writer& string(char (&)[N]) = delete;
    /// One string, `parts` joined (without joining them first).
    json_writer& string(std::initializer_list<std::string_view> parts);
    json_writer& value(boost::json::value const& v);
    json_writer& value(boost::json::object const& o);
    json_writer& value(boost::json::array const& a);
    json_writer& number(std::int64_t n);
    json_writer& number(double d);
    json_writer& boolean(bool b);
    /// Bytes already serialized (a type's schema written once): a value as it stands.
    json_writer& raw(std::string_view json);
    /// A type's schema: its bytes when they are kept beside it (tool_spec's), else `o`
    /// serialized.
    json_writer& schema(boost::json::object const& o, std::string_view text);

    /// The bytes written, in a string of their size: a call in flight holds its body, not the
    /// room the writer grew into.
    std::string take() const { return std::string(out_.data(), out_.size()); }

private:
    /// `"text"` (and `:` for a key), after a comma when one is due: one append. `text` has
    /// nothing to escape (checked in debug builds).
    json_writer& literal(char const* text, std::size_t size, bool is_key);
    json_writer& punct(char c, bool opens = true);
    void comma();
    void drain();  // what sr_ holds, into out_
    template <class T>
    json_writer& serialized(T const& v);

    std::string out_;
    boost::json::serializer sr_;
    bool first_ = true;  // no member or element written yet at this depth
};

}  // namespace instructor::detail
