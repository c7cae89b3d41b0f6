// The read rooms a thread keeps (see read_room.hpp).
#include "read_room.hpp"

#include "block_shelf.hpp"

#include <new>

namespace instructor::net::detail {

// A few: calls on one thread read their answers one at a time, and a room is given back when
// its connection goes idle; a thread reading many streams at once takes the rest anew.
using rooms = block_shelf<response_room, 4>;

void* take_room(std::size_t bytes)
{
    return bytes == response_room ? rooms::take() : ::operator new(bytes);
}

void give_room(void* block, std::size_t bytes) noexcept
{
    if (bytes == response_room)
        rooms::give(block);
    else
        ::operator delete(block);
}

}  // namespace instructor::net::detail
