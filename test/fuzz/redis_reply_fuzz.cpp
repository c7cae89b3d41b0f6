// libFuzzer: any bytes from a "Redis", fed in pieces to hiredis's reader with the cache's reply
// shapes (lib/cache/redis_reply_shapes.hpp): only strings, statuses, errors and nils come out,
// and an array or an integer stops the reader with an error, never a crash.
#include "cache/redis_reply_shapes.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::unique_ptr<redisReader, void (*)(redisReader*)> r(redisReaderCreate(), redisReaderFree);
    instructor::redis::reply_guard guard;
    instructor::redis::refuse_unasked_shapes(*r, guard);
    std::size_t const piece = size ? 1 + data[0] % 16 : 1;
    for (std::size_t i = 0; i < size; i += piece) {
        if (redisReaderFeed(r.get(), reinterpret_cast<char const*>(data) + i,
                            std::min(piece, size - i)) != REDIS_OK)
            return 0;
        for (;;) {
            void* reply = nullptr;
            if (redisReaderGetReply(r.get(), &reply) != REDIS_OK) {
                if (guard.refused && r->err != REDIS_ERR_OOM)
                    std::abort();  // a refusal is hiredis's "out of memory", nothing else
                return 0;
            }
            if (!reply)
                break;
            auto const type = static_cast<redisReply*>(reply)->type;
            freeReplyObject(reply);
            if (type == REDIS_REPLY_ARRAY || type == REDIS_REPLY_INTEGER || guard.refused)
                std::abort();
        }
    }
    return 0;
}
