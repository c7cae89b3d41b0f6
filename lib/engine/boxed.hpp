// An optional value kept apart (on the heap, or in the call's arena): what an operation holds
// only at its end or on a rare path (an error, the completion, an answer awaiting its
// validators) costs two pointers, not its size, for every call in flight.
#pragma once

#include "engine/call_arena.hpp"

#include <memory>
#include <memory_resource>
#include <utility>

namespace instructor::detail {

template <class T>
class boxed {
public:
    boxed() = default;
    /// Its value made in `from` (a call's arena; null: the heap).
    explicit boxed(std::pmr::memory_resource* from) noexcept : p_(nullptr, {from}) {}
    boxed(boxed&&) noexcept = default;
    boxed& operator=(boxed&&) noexcept = default;
    /// A copy holds a copy of the value (an event a test keeps, a script replayed), on the heap.
    boxed(boxed const& o) : p_(o.p_ ? make_in<T>(nullptr, *o.p_) : nullptr) {}
    boxed& operator=(boxed const& o)
    {
        if (this != &o)
            p_ = o.p_ ? make_in<T>(nullptr, *o.p_) : nullptr;
        return *this;
    }
    /// The value is replaced in place when there is one: its address stays what hooks saw.
    boxed& operator=(T v)
    {
        if (p_)
            *p_ = std::move(v);
        else
            p_ = make_in<T>(p_.get_deleter().from, std::move(v));
        return *this;
    }
    /// A new value; `a` must not refer to the one held (it is destroyed first, so that in an
    /// arena the new one takes its room), and the box is empty when making it throws.
    template <class... A>
    T& emplace(A&&... a)
    {
        auto* const from = p_.get_deleter().from;
        p_.reset();  // the old value's room first: in an arena, the last allocation is reused
        p_ = make_in<T>(from, std::forward<A>(a)...);
        return *p_;
    }
    void reset() noexcept { p_.reset(); }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    T& operator*() const noexcept { return *p_; }
    T* operator->() const noexcept { return p_.get(); }

private:
    resource_ptr<T> p_;
};

}  // namespace instructor::detail
