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
