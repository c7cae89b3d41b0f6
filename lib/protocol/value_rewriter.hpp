// A JSON value written back from a one-pass reading's parser events, byte for byte as
// json::serialize writes the tree Boost.JSON builds of the same text: what a reply's tool input
// (an object in the reply, a string to the decoder) becomes without the tree.
#pragma once

#include <instructor/detail/json_text.hpp>

#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace instructor::detail {

class value_rewriter {
public:
    /// The text written so far (the whole value once `active()` is false again).
    std::string out;

    /// A new value starts (what was written before is another's).
    void start() { out.clear(); }
    /// Inside an object or array of the value: the reading's events are the value's.
    bool active() const noexcept { return depth_ > 0; }

    // Each returns false when the value is one the tree must write: deeper than the reading
    // goes, an object with a repeated key (which of them the tree keeps is its to say) or more
    // keys than are compared cheaply.
    bool open_object() { return open('{', true); }
    bool open_array() { return open('[', false); }
    void close_object() { close('}'); }
    void close_array() { close(']'); }
    bool key(std::string_view k)
    {
        auto& l = levels_[depth_ - 1];
        auto const h = hash(k);
        auto const from = keys_.begin() + l.keys_from;
        if (static_cast<std::size_t>(keys_.end() - from) >= max_keys ||
            std::find(from, keys_.end(), h) != keys_.end())
            return false;  // (a hash collision only sends the value to the tree)
        keys_.push_back(h);
        if (l.items++ > 0)
            out.push_back(',');
        append_json_string(out, k);
        out.push_back(':');
        return true;
    }
    void string(std::string_view s) { element(), append_json_string(out, s); }
    void number(std::int64_t v) { element(), append_number(out, v); }
    void number(std::uint64_t v) { element(), append_number(out, v); }
    void number(double d)
    {
        element();
        // serialize's own text for a double, through a serializer on the stack (no string)
        boost::json::value const v(d);
        boost::json::serializer sr;
        sr.reset(&v);
        char buf[64];
        while (!sr.done())
            out += sr.read(buf, sizeof buf);
    }
    void boolean(bool b) { element(), out += b ? "true" : "false"; }
    void null() { element(), out += "null"; }

private:
    static constexpr std::size_t max_depth = 32;  // (the parser's, for the whole document)
    static constexpr std::size_t max_keys = 64;  // per object

    struct level {
        bool object;
        std::uint32_t items;      // members or elements written
        std::uint32_t keys_from;  // where this object's keys start in keys_
    };

    static std::uint64_t hash(std::string_view k) noexcept
    {
        std::uint64_t h = 14695981039346656037u;  // FNV-1a
        for (unsigned char c : k)
            h = (h ^ c) * 1099511628211u;
        return h;
    }
    /// A value starts: after a comma when it is not its array's first (a member's key wrote its
    /// own).
    void element()
    {
        if (depth_ > 0 && !levels_[depth_ - 1].object && levels_[depth_ - 1].items++ > 0)
            out.push_back(',');
    }
    bool open(char c, bool object)
    {
        if (depth_ == max_depth)
            return false;
        element();
        out.push_back(c);
        levels_[depth_++] = {object, 0, static_cast<std::uint32_t>(keys_.size())};
        return true;
    }
    void close(char c)
    {
        out.push_back(c);
        keys_.resize(levels_[--depth_].keys_from);
    }

    level levels_[max_depth];
    std::size_t depth_ = 0;
    std::vector<std::uint64_t> keys_;  // the keys met in the open objects
};

}  // namespace instructor::detail
