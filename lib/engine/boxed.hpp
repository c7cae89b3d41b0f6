// An optional value kept on the heap: what an operation holds only at its end or on a rare path
// (an error, the completion, an answer awaiting its validators) costs a pointer, not its size,
// for every call in flight.
#pragma once

#include <memory>
#include <utility>

namespace instructor::detail {

template <class T>
class boxed {
public:
    boxed() = default;
    boxed(boxed&&) noexcept = default;
    boxed& operator=(boxed&&) noexcept = default;
    /// A copy holds a copy of the value (an event a test keeps, a script replayed).
    boxed(boxed const& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
    boxed& operator=(boxed const& o)
    {
        if (this != &o)
            p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
        return *this;
    }
    /// The value is replaced in place when there is one: its address stays what hooks saw.
    boxed& operator=(T v)
    {
        if (p_)
            *p_ = std::move(v);
        else
            p_ = std::make_unique<T>(std::move(v));
        return *this;
    }
    template <class... A>
    T& emplace(A&&... a)
    {
        p_ = std::make_unique<T>(std::forward<A>(a)...);
        return *p_;
    }
    void reset() noexcept { p_.reset(); }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    T& operator*() const noexcept { return *p_; }
    T* operator->() const noexcept { return p_.get(); }

private:
    std::unique_ptr<T> p_;
};

}  // namespace instructor::detail
