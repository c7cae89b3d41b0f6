#include "protocol/json_writer.hpp"

#include <instructor/detail/json_text.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <boost/assert.hpp>

#include <algorithm>
#include <cstring>


namespace instructor::detail {

namespace json = boost::json;

namespace {

// The room the thread's last writer grew into: take() copies the bytes out, so the room never
// leaves a writer, and a body is written in it on the next call without a large allocation
// and its free (a body's ~1 KB is past malloc's per-thread cache). A writer made while another
// writes takes a room of its own.
constexpr std::size_t kept_room = 64 * 1024;  // a larger body's room is freed
thread_local bool room_gone = false;          // trivially destructible: read after the end
struct room {
    std::string bytes;
    ~room() { room_gone = true; }
};
thread_local room spare;

}  // namespace

json_writer::json_writer(std::size_t reserve)
{
    if (!room_gone)
        out_.swap(spare.bytes);
    out_.clear();
    out_.reserve(reserve);
}

json_writer::~json_writer()
{
    if (!room_gone && out_.capacity() <= kept_room && out_.capacity() > spare.bytes.capacity())
        out_.swap(spare.bytes);
}

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

json_writer& json_writer::key(std::string_view k)
{
    comma();
    append_json_string(out_, k);
    out_.push_back(':');
    first_ = true;  // the value follows without a comma
    return *this;
}

json_writer& json_writer::literal(char const* text, std::size_t size, bool is_key)
{
    BOOST_ASSERT(std::none_of(text, text + size, [](char c) {
        return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
    }));
    char buf[128];
    if (size + 4 > sizeof buf)  // no wire has a name this long: written as any other
        return is_key ? key(std::string_view(text, size)) : string(std::string_view(text, size));
    std::size_t n = 0;
    if (!first_)
        buf[n++] = ',';
    buf[n++] = '"';
    std::memcpy(buf + n, text, size);
    n += size;
    buf[n++] = '"';
    if (is_key)
        buf[n++] = ':';
    out_.append(buf, n);
    first_ = is_key;  // after a key its value follows without a comma
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
    append_json_string(out_, s);
    return *this;
}

json_writer& json_writer::string(std::initializer_list<std::string_view> parts)
{
    comma();
    out_.push_back('"');
    for (auto part : parts)
        append_json_escaped(out_, part);
    out_.push_back('"');
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
