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

/// The key and value events of a reply reading that takes strings and counts into slots: the
/// key's slot from `Derived::slot_of(level, key)` (a repeat or a stop slot stops), a value's
/// slot from `Derived::take_slot()` (which may hand over `next`), its string to
/// `Derived::string_of(slot)` and its count to `Derived::count_of(slot)` (null: not taken). A
/// count is a non-negative integer, as json_access's count_at reads one; anything else
/// counts 0.
template <class Derived, class Frame, class Slot>
struct slot_reader : one_pass_reader<Frame, Slot> {
    Slot next = Slot::none;         // the slot of the value after the key just read
    std::string* target = nullptr;  // where the string being read goes (null: nowhere)
    bool in_string = false;

    Derived& self() { return static_cast<Derived&>(*this); }

    bool on_key(std::string_view s, std::size_t, boost::system::error_code&)
    {
        next = this->key_slot(
            s, [this](auto const& l, std::string_view k) { return self().slot_of(l, k); });
        if (next == Slot::stop || (next != Slot::none && !this->first_time(next)))
            return this->stop();
        return true;
    }
    bool string_piece(std::string_view s)
    {
        if (!in_string) {
            if (this->n == 0)
                return this->stop();
            auto const at = self().take_slot();
            if (at == Slot::stop)
                return this->stop();
            target = self().string_of(at);
            in_string = true;
        }
        if (target)
            target->append(s);
        return true;
    }
    bool on_string_part(std::string_view s, std::size_t, boost::system::error_code&)
    {
        return self().string_piece(s);
    }
    bool on_string(std::string_view s, std::size_t, boost::system::error_code&)
    {
        if (!self().string_piece(s))
            return false;
        in_string = false;
        target = nullptr;
        return true;
    }
    bool scalar(std::uint64_t count)
    {
        if (this->n == 0)
            return this->stop();
        auto const at = self().take_slot();
        if (at == Slot::stop)
            return this->stop();
        if (auto* to = self().count_of(at))
            *to = count;
        return true;
    }
    bool on_int64(std::int64_t v, std::string_view, boost::system::error_code&)
    {
        return self().scalar(v > 0 ? static_cast<std::uint64_t>(v) : 0);
    }
    bool on_uint64(std::uint64_t v, std::string_view, boost::system::error_code&)
    {
        return self().scalar(v);
    }
    bool on_double(double, std::string_view, boost::system::error_code&) { return self().scalar(0); }
    bool on_bool(bool, boost::system::error_code&) { return self().scalar(0); }
    bool on_null(boost::system::error_code&) { return self().scalar(0); }
};

}  // namespace instructor::detail
