// A connection's read room: its memory kept by the thread for the next answer's room.
#pragma once

#include <cstddef>

namespace instructor::net::detail {

/// A plain connection's read room once its response starts to arrive: a chat reply and its head.
/// An idle pooled connection holds none (lease::give_back).
constexpr std::size_t response_room = 4096;

/// A block of `bytes`; one of `response_room` bytes comes from those the thread kept.
void* take_room(std::size_t bytes);
/// Gives back a block from take_room: the thread keeps a few of `response_room` bytes (a call
/// then takes its answer's room from none of the allocator's paths), the others are freed.
void give_room(void* block, std::size_t bytes) noexcept;

/// The allocator of connection::buffer.
template <class T>
struct room_allocator {
    using value_type = T;

    room_allocator() = default;
    template <class U>
    room_allocator(room_allocator<U> const&) noexcept
    {
    }

    T* allocate(std::size_t n) { return static_cast<T*>(take_room(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept { give_room(p, n * sizeof(T)); }

    friend bool operator==(room_allocator, room_allocator) noexcept { return true; }
};

}  // namespace instructor::net::detail
