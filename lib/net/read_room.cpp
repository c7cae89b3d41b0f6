// The read rooms a thread keeps (see read_room.hpp).
#include "read_room.hpp"

#include <array>
#include <new>

namespace instructor::net::detail {

namespace {

// A few: calls on one thread read their answers one at a time, and a room is given back when
// its connection goes idle; a thread reading many streams at once takes the rest anew.
constexpr std::size_t kept_rooms = 4;

thread_local bool rooms_gone = false;  // trivially destructible: readable after the shelf ends

struct shelf {
    std::array<void*, kept_rooms> kept{};
    std::size_t count = 0;
    ~shelf()
    {
        rooms_gone = true;
        while (count)
            ::operator delete(kept[--count]);
    }
};
thread_local shelf rooms;

}  // namespace

void* take_room(std::size_t bytes)
{
    if (bytes == response_room && !rooms_gone && rooms.count)
        return rooms.kept[--rooms.count];
    return ::operator new(bytes);
}

void give_room(void* block, std::size_t bytes) noexcept
{
    if (bytes == response_room && !rooms_gone && rooms.count < kept_rooms) {
        rooms.kept[rooms.count++] = block;
        return;
    }
    ::operator delete(block);
}

}  // namespace instructor::net::detail
