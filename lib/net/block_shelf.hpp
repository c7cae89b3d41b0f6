// Blocks of one size that each thread keeps for its next take: a call's arena, a connection's
// read room. Taken and given back on the same thread, they cost none of the allocator's paths.
#pragma once

#include <array>
#include <cstddef>
#include <new>

namespace instructor::net::detail {

#if defined(__SANITIZE_ADDRESS__)
#define INSTRUCTOR_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define INSTRUCTOR_ASAN 1
#endif
#endif

/// Up to `Kept` blocks of `Bytes` per thread; a block given back past those is freed. Blocks
/// are aligned as operator new aligns. Under AddressSanitizer none is kept: each is the heap's,
/// so that a block used after it was given back, or given back twice, is reported.
template <std::size_t Bytes, std::size_t Kept>
class block_shelf {
public:
#ifdef INSTRUCTOR_ASAN
    static constexpr std::size_t limit = 0;
#else
    static constexpr std::size_t limit = Kept;
#endif

    static void* take()
    {
        if (!gone_ && shelf_.count)
            return shelf_.kept[--shelf_.count];
        return ::operator new(Bytes);
    }

    static void give(void* block) noexcept
    {
        if (!gone_ && shelf_.count < limit) {
            shelf_.kept[shelf_.count++] = block;
            return;
        }
        ::operator delete(block);
    }

private:
    struct store {
        std::array<void*, Kept> kept{};
        std::size_t count = 0;
        ~store()
        {
            gone_ = true;
            while (count)
                ::operator delete(kept[--count]);
        }
    };
    static inline thread_local bool gone_ = false;  // trivially destructible: read after the end
    static inline thread_local store shelf_;
};

}  // namespace instructor::net::detail
