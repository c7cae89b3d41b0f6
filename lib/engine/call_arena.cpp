// The blocks of call arenas, kept by each thread for its next calls (see call_arena.hpp).
#include "engine/call_arena.hpp"

#include "net/block_shelf.hpp"

#include <cstdint>

#ifdef INSTRUCTOR_ASAN
#include <sanitizer/asan_interface.h>
// What the block holds that was given back, or never handed out, is poisoned: a use of it is
// reported as the heap's would be.
#define INSTRUCTOR_ARENA_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define INSTRUCTOR_ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define INSTRUCTOR_ARENA_POISON(p, n) ((void)(p), (void)(n))
#define INSTRUCTOR_ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace instructor::detail {

namespace {

// Enough for the calls one thread starts as others end (64 in flight take turns on a few): a
// block past these goes back to the heap.
using blocks = net::detail::block_shelf<call_arena::block_bytes, 16>;

// The heap's plain path for what needs no more than it aligns anyway (its aligned path is
// memalign's, several times the cost).
void* heap_allocate(std::size_t bytes, std::size_t align)
{
    if (align <= __STDCPP_DEFAULT_NEW_ALIGNMENT__)
        return ::operator new(bytes);
    return ::operator new(bytes, std::align_val_t{align});
}

// Unsized: clang has no sized delete without -fsized-deallocation.
void heap_deallocate(void* p, std::size_t align) noexcept
{
    if (align <= __STDCPP_DEFAULT_NEW_ALIGNMENT__)
        ::operator delete(p);
    else
        ::operator delete(p, std::align_val_t{align});
}

class heap_memory final : public std::pmr::memory_resource {
    void* do_allocate(std::size_t bytes, std::size_t align) override
    {
        return heap_allocate(bytes, align);
    }
    void do_deallocate(void* p, std::size_t, std::size_t align) override
    {
        heap_deallocate(p, align);
    }
    bool do_is_equal(std::pmr::memory_resource const& o) const noexcept override
    {
        return this == &o;
    }
};

}  // namespace

std::pmr::memory_resource* heap_resource() noexcept
{
    // Never destroyed: a queue destroyed at the program's end (a static's, a thread's) may
    // still give its storage back through it.
    alignas(heap_memory) static unsigned char room[sizeof(heap_memory)];
    static auto* const heap = ::new (room) heap_memory;
    return heap;
}

bool call_arena::keeps_blocks() noexcept { return blocks::limit > 0; }

call_arena::~call_arena()
{
    if (!block_)
        return;
    INSTRUCTOR_ARENA_UNPOISON(block_, block_bytes);
    blocks::give(block_);
}

bool call_arena::in_block(void const* p) const noexcept
{
    auto const at = reinterpret_cast<std::uintptr_t>(p);
    auto const first = reinterpret_cast<std::uintptr_t>(block_);
    return block_ && at >= first && at < first + block_bytes;
}

void* call_arena::do_allocate(std::size_t bytes, std::size_t align)
{
    bytes = bytes ? bytes : 1;  // a distinct address, inside the block
    if (align <= __STDCPP_DEFAULT_NEW_ALIGNMENT__ && bytes <= block_bytes) {
        if (!block_) {
            block_ = static_cast<std::byte*>(blocks::take());
            INSTRUCTOR_ARENA_POISON(block_, block_bytes);
        }
        std::size_t const at = (used_ + align - 1) & ~(align - 1);
        if (at <= block_bytes - bytes) {
            used_ = at + bytes;
            INSTRUCTOR_ARENA_UNPOISON(block_ + at, bytes);
            return block_ + at;
        }
    }
    return heap_allocate(bytes, align);
}

void call_arena::do_deallocate(void* p, std::size_t bytes, std::size_t align)
{
    if (!in_block(p)) {
        heap_deallocate(p, align);
        return;
    }
    bytes = bytes ? bytes : 1;
    INSTRUCTOR_ARENA_POISON(p, bytes);
    if (static_cast<std::byte*>(p) + bytes == block_ + used_)  // the last: its room used again
        used_ -= bytes;
}

}  // namespace instructor::detail
