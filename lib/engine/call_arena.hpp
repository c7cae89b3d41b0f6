// One call's arena: what the library keeps for a call while it runs (its operation, driver,
// request, actions) in one block, which the thread kept from its last call and takes back at
// once when the call ends, instead of an allocation and a free of each.
#pragma once

#include <cstddef>
#include <memory>
#include <memory_resource>
#include <new>
#include <utility>

namespace instructor::detail {

/// A bump allocator over one block. What does not fit comes from the heap one allocation at a
/// time and goes back when freed; in the block, a free gives back only the last allocation (a
/// box's value made again, an object that failed to be made), the rest when the arena ends. A
/// vector that grows in it leaves its old room behind (it allocates before it frees): keep its
/// storage small or reserved. Everything made in it must be gone before it ends. One thread at
/// a time, as the call it serves.
class call_arena final : public std::pmr::memory_resource {
public:
    /// A chat call's objects up to its reply: the operation (~800 bytes), the driver, the
    /// attempt's request and its first actions. The completion, made after the reply, comes
    /// from the heap: the block is held while the call waits, and each call in flight holds one.
    static constexpr std::size_t block_bytes = 1536;

    call_arena() noexcept = default;
    ~call_arena() override;
    call_arena(call_arena const&) = delete;
    call_arena& operator=(call_arena const&) = delete;

    /// Bytes of the block in use (0 before the first allocation).
    std::size_t used() const noexcept { return used_; }
    /// Whether a thread keeps the blocks of its ended arenas for its next ones (not under
    /// AddressSanitizer: there each block is the heap's, to be checked as the heap is).
    static bool keeps_blocks() noexcept;

private:
    void* do_allocate(std::size_t bytes, std::size_t align) override;
    void do_deallocate(void* p, std::size_t bytes, std::size_t align) override;
    bool do_is_equal(std::pmr::memory_resource const& o) const noexcept override
    {
        return this == &o;
    }
    bool in_block(void const* p) const noexcept;

    std::byte* block_ = nullptr;  // taken at the first allocation
    std::size_t used_ = 0;
};

/// The heap through its plain operator new for what needs no more alignment than it gives (an
/// action queue's storage when no arena is given: std::pmr::new_delete_resource may take the
/// aligned path, several times the cost).
std::pmr::memory_resource* heap_resource() noexcept;

/// Destroys what make_in made and gives its memory back where it came from (null: the heap).
template <class T>
struct resource_delete {
    std::pmr::memory_resource* from = nullptr;
    void operator()(T* p) const noexcept
    {
        if (!from) {
            delete p;
            return;
        }
        p->~T();
        from->deallocate(p, sizeof(T), alignof(T));
    }
};

template <class T>
using resource_ptr = std::unique_ptr<T, resource_delete<T>>;

/// A `T` made in `from` (null: the heap).
template <class T, class... A>
resource_ptr<T> make_in(std::pmr::memory_resource* from, A&&... a)
{
    if (!from)
        return resource_ptr<T>(new T(std::forward<A>(a)...));
    void* p = from->allocate(sizeof(T), alignof(T));
    try {
        return resource_ptr<T>(::new (p) T(std::forward<A>(a)...), {from});
    }
    catch (...) {
        from->deallocate(p, sizeof(T), alignof(T));
        throw;
    }
}

}  // namespace instructor::detail
