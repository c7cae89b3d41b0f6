// What the wires' one-pass readings (a chat stream chunk, a whole chat or Messages reply) share
// as Boost.JSON basic_parser handlers: the tree's size limits, a fixed stack of levels, a key joined from its
// parts, a repeated member noticed, and the stop that hands the input to the tree reading.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace instructor::detail {

/// A handler's common part; `Frame` names where a level is, `Slot` what a member is (at most
/// 32 slots: a level's members met are a bit set).
template <class Frame, class Slot>
struct one_pass_reader {
    // The tree's own limits: what is too large for it is refused by both readings alike.
    static constexpr std::size_t max_object_size = boost::json::object::max_size();
    static constexpr std::size_t max_array_size = boost::json::array::max_size();
    static constexpr std::size_t max_key_size = boost::json::string::max_size();
    static constexpr std::size_t max_string_size = boost::json::string::max_size();

    struct level {
        Frame kind;
        Slot detail;         // what the level holds when its kind does not say (a reader's own)
        std::uint32_t seen;  // the slots met in this object
        std::size_t items;   // the elements met in an array
    };
    // Deeper than anything the readings know (a deeper input goes to the tree), and allocating
    // nothing.
    static constexpr std::size_t depth = 32;

    level stack[depth];  // not initialized: a level is written whole when pushed
    std::size_t n = 0;
    std::string key;  // a key that arrived in parts
    bool stopped = false;

    bool stop()
    {
        stopped = true;
        return false;
    }
    level& top() { return stack[n - 1]; }
    bool push(Frame f, Slot detail = Slot{})
    {
        if (n >= depth)
            return stop();
        stack[n++] = {f, detail, 0, 0};
        return true;
    }

    /// The slot `slot_of(level, key)` gives the key ending with `last` (joined to its parts
    /// when it came in pieces) in the top level.
    template <class SlotOf>
    Slot key_slot(std::string_view last, SlotOf const& slot_of)
    {
        if (key.empty())
            return slot_of(top(), last);
        key.append(last);
        Slot const s = slot_of(top(), std::string_view(key));
        key.clear();
        return s;
    }

    /// Notes member `s` met in the top object; false when it was met before (which of the two
    /// the tree keeps is its to say).
    bool first_time(Slot s)
    {
        auto const bit = std::uint32_t{1} << static_cast<unsigned>(s);
        if (top().seen & bit)
            return false;
        top().seen |= bit;
        return true;
    }

    // The events the readings take as they come.
    bool on_document_begin(boost::system::error_code&) { return true; }
    bool on_document_end(boost::system::error_code&) { return true; }
    bool on_object_end(std::size_t, boost::system::error_code&) { return --n, true; }
    bool on_array_end(std::size_t, boost::system::error_code&) { return --n, true; }
    bool on_key_part(std::string_view s, std::size_t, boost::system::error_code&)
    {
        key.append(s);
        return true;
    }
    bool on_number_part(std::string_view, boost::system::error_code&) { return true; }
    bool on_comment_part(std::string_view, boost::system::error_code&) { return true; }
    bool on_comment(std::string_view, boost::system::error_code&) { return true; }
};

}  // namespace instructor::detail
