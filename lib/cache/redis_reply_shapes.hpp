// The reply shapes a Redis cache takes: its commands (AUTH, SELECT, GETRANGE, SET ... EX) are
// answered with a string, a status, an error or nil, never an array or an integer. hiredis
// builds a reply whole before handing it over, and an array of a million integers costs it ~56
// bytes of objects per 4 bytes read; so the other shapes are refused as they are read, before
// anything is allocated: hiredis then ends the connection with an error.
#pragma once

#include <hiredis/read.h>

namespace instructor::redis {

/// Learns that the reader refused a reply (the reader's privdata points to it).
struct reply_guard {
    bool refused = false;
};

namespace detail {

inline void* refuse(redisReadTask const* task)
{
    if (task && task->privdata)
        static_cast<reply_guard*>(task->privdata)->refused = true;
    return nullptr;  // hiredis: "out of memory", and the reader stops
}

inline void* refuse_array(redisReadTask const* task, int) { return refuse(task); }
inline void* refuse_integer(redisReadTask const* task, long long) { return refuse(task); }

}  // namespace detail

/// Makes `reader` (created with hiredis's own reply functions) refuse arrays and integers and
/// tell `guard`. hiredis 1.x adds shapes of RESP3 (doubles, booleans, maps...): the assert makes
/// an upgrade refuse them too.
inline void refuse_unasked_shapes(redisReader& reader, reply_guard& guard)
{
    static_assert(sizeof(redisReplyObjectFunctions) == 5 * sizeof(void*),
                  "hiredis's reply functions changed: refuse its new reply shapes too");
    static redisReplyObjectFunctions table = [&] {
        auto t = *reader.fn;  // hiredis's strings, nils and free stay as they are
        t.createArray = detail::refuse_array;
        t.createInteger = detail::refuse_integer;
        return t;
    }();
    reader.fn = &table;
    reader.privdata = &guard;
}

}  // namespace instructor::redis
