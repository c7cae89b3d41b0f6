// What the wires' one-pass readings (a chat stream chunk; a whole chat, Messages, Responses or
// Converse reply; a stream's delta event) share as Boost.JSON basic_parser handlers: the tree's
// size limits, a fixed stack of levels, a key joined from its parts, a repeated member noticed,
// and the stop that hands the input to the tree reading.
#pragma once

#include "protocol/value_rewriter.hpp"

#include <boost/json/array.hpp>
#include <boost/json/basic_parser.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

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

/// Runs a reading over a whole body: true when it answered (the JSON well formed and whole, no
/// stop); else the tree decides.
template <class Reader>
bool read_whole(boost::json::basic_parser<Reader>& p, std::string_view body)
{
    boost::system::error_code ec;
    auto const used = p.write_some(false, body.data(), body.size(), ec);
    return !ec && !p.handler().stopped && used == body.size();
}

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

    /// The slot of the value that starts now: none inside a skipped value, else the one its key
    /// gave (a reading with arrays of its own says more).
    Slot take_slot()
    {
        return this->top().kind == Frame::skip ? Slot::none : std::exchange(next, Slot::none);
    }

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
    bool on_double(double, std::string_view, boost::system::error_code&)
    {
        return self().scalar(0);
    }
    bool on_bool(bool, boost::system::error_code&) { return self().scalar(0); }
    bool on_null(boost::system::error_code&) { return self().scalar(0); }
    /// An array is skipped whole (a reading that looks into one has its own), a root that is
    /// one left to the tree reading, which says it is not an object.
    bool on_array_begin(boost::system::error_code&)
    {
        if (this->n == 0)
            return this->stop();
        self().take_slot();
        return this->push(Frame::skip);
    }
};

/// A slot_reader that also takes one value whole: the member `Slot::input` of a
/// `Derived::input_frame` object (a tool call's input, an object in the reply) is written back by
/// a value_rewriter into `input.out` as json::serialize writes its tree. Derived gives
/// object_begin(), object_end() and array_begin() for the events outside that value.
template <class Derived, class Frame, class Slot>
struct rewriting_reader : slot_reader<Derived, Frame, Slot> {
    using base = slot_reader<Derived, Frame, Slot>;

    value_rewriter input;
    bool has_input = false;  // set when the value starts; cleared by Derived per object
    bool capturing = false;  // a string of the value, written whole at its end
    std::string captured;

    /// Whether the value starting now is (in) the value taken: it starts the rewriter; a value
    /// inside it goes on with it.
    bool in_input()
    {
        if (input.active())
            return true;
        if (this->n == 0 || this->top().kind != Derived::input_frame || this->next != Slot::input)
            return false;
        this->next = Slot::none;
        input.start();
        has_input = true;
        return true;
    }

    bool on_object_begin(boost::system::error_code&)
    {
        if (in_input())
            return input.open_object() || this->stop();
        return this->self().object_begin();
    }
    bool on_object_end(std::size_t, boost::system::error_code&)
    {
        if (input.active())
            return input.close_object(), true;
        return this->self().object_end();
    }
    bool on_array_begin(boost::system::error_code&)
    {
        if (in_input())
            return input.open_array() || this->stop();
        return this->self().array_begin();
    }
    bool on_array_end(std::size_t, boost::system::error_code&)
    {
        if (input.active())
            return input.close_array(), true;
        return --this->n, true;
    }
    bool on_key(std::string_view s, std::size_t size, boost::system::error_code& ec)
    {
        if (!input.active())
            return base::on_key(s, size, ec);
        auto& joined = this->key;  // the key's earlier parts
        bool const taken = input.key(joined.empty() ? s : std::string_view(joined.append(s)));
        joined.clear();
        return taken || this->stop();
    }
    bool string_piece(std::string_view s)
    {
        if (!this->in_string && in_input()) {
            capturing = true;
            this->target = &captured;
            this->in_string = true;
        }
        return base::string_piece(s);
    }
    bool on_string(std::string_view s, std::size_t size, boost::system::error_code& ec)
    {
        if (!base::on_string(s, size, ec))
            return false;
        if (capturing) {
            input.string(captured);
            captured.clear();
            capturing = false;
        }
        return true;
    }
    template <class Write>
    bool scalar(std::uint64_t count, Write const& write)
    {
        if (in_input())
            return write(), true;
        return base::scalar(count);
    }
    bool on_int64(std::int64_t v, std::string_view, boost::system::error_code&)
    {
        return scalar(v > 0 ? static_cast<std::uint64_t>(v) : 0, [&] { input.number(v); });
    }
    bool on_uint64(std::uint64_t v, std::string_view, boost::system::error_code&)
    {
        return scalar(v, [&] { input.number(v); });
    }
    bool on_double(double d, std::string_view, boost::system::error_code&)
    {
        return scalar(0, [&] { input.number(d); });
    }
    bool on_bool(bool b, boost::system::error_code&)
    {
        return scalar(0, [&] { input.boolean(b); });
    }
    bool on_null(boost::system::error_code&)
    {
        return scalar(0, [&] { input.null(); });
    }
};

/// A rewriting_reader of a reply whose answer is a `content` array of blocks (Messages,
/// Converse): a block is judged when it closes (`Derived::end_block()`, false: stop), the array
/// noted in `has_content`; a block that is not an object is passed over.
template <class Derived, class Frame, class Slot>
struct block_list_reader : rewriting_reader<Derived, Frame, Slot> {
    bool has_content = false;

    bool object_end()
    {
        if (this->top().kind == Frame::block && !this->self().end_block())
            return false;
        return --this->n, true;
    }
    bool array_begin()
    {
        if (this->n == 0)
            return this->stop();  // not an object: the tree reading says so
        switch (this->self().take_slot()) {
        case Slot::content: has_content = true; return this->push(Frame::content);
        case Slot::stop: return this->stop();
        default: return this->push(Frame::skip);
        }
    }
};

}  // namespace instructor::detail
