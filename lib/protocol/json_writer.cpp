#include "protocol/json_writer.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <cstring>

namespace instructor::detail {

namespace json = boost::json;

void json_writer::comma()
{
    if (!first_)
        out_.push_back(',');
    first_ = false;
}

json_writer& json_writer::punct(char c, bool opens)
{
    if (opens)
        comma();
    out_.push_back(c);
    first_ = opens;  // a container's first element next; after one closes, a comma
    return *this;
}

void json_writer::drain()
{
    char buf[1024];
    while (!sr_.done())
        out_.append(sr_.read(buf, sizeof buf));
}

namespace {

/// True when `s` is written between quotes as it is: Boost.JSON's serializer escapes only a
/// quote, a backslash and the control characters (other bytes, UTF-8 included, go as they are).
bool plain(std::string_view s) noexcept
{
    // Eight bytes at a time: a word has a byte below 0x20, or equal to a quote or a backslash,
    // when (x - 0x01..) & ~x & 0x80.. is not zero (x the word, or it xor the byte repeated).
    constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    auto any_below = [](std::uint64_t x, std::uint64_t n) { return (x - ones * n) & ~x & highs; };
    char const* p = s.data();
    std::size_t n = s.size();
    for (; n >= 8; p += 8, n -= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        if (any_below(w, 0x20) | any_below(w ^ (ones * '"'), 1) | any_below(w ^ (ones * '\\'), 1))
            return false;
    }
    for (; n > 0; ++p, --n)
        if (*p == '"' || *p == '\\' || static_cast<unsigned char>(*p) < 0x20)
            return false;
    return true;
}

}  // namespace

void json_writer::quoted(std::string_view s)
{
    if (plain(s)) {  // most keys and texts: no serializer's pass
        out_.push_back('"');
        out_.append(s);
        out_.push_back('"');
        return;
    }
    sr_.reset(s);
    drain();
}

json_writer& json_writer::key(std::string_view k)
{
    comma();
    quoted(k);
    out_.push_back(':');
    first_ = true;  // the value follows without a comma
    return *this;
}

template <class T>
json_writer& json_writer::serialized(T const& v)
{
    comma();
    sr_.reset(&v);
    drain();
    return *this;
}

json_writer& json_writer::string(std::string_view s)
{
    comma();
    quoted(s);
    return *this;
}

json_writer& json_writer::value(json::value const& v) { return serialized(v); }
json_writer& json_writer::value(json::object const& o) { return serialized(o); }
json_writer& json_writer::value(json::array const& a) { return serialized(a); }

json_writer& json_writer::number(std::int64_t n)
{
    json::value const v(n);
    return serialized(v);
}

json_writer& json_writer::number(double d)
{
    json::value const v(d);  // Boost.JSON's own formatting, as the tree's serialization has it
    return serialized(v);
}

json_writer& json_writer::boolean(bool b)
{
    comma();
    out_.append(b ? "true" : "false");
    return *this;
}

json_writer& json_writer::raw(std::string_view json)
{
    comma();
    out_.append(json);
    return *this;
}

json_writer& json_writer::schema(json::object const& o, std::string_view text)
{
    return text.empty() ? value(o) : raw(text);
}

}  // namespace instructor::detail
