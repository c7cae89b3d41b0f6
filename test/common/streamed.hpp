// A UserInfo stream read to its end, as the integration tests that run many read it.
#pragma once

#include "models.hpp"

#include <instructor/client.hpp>

#include <boost/asio/awaitable.hpp>

namespace test {

/// The age of the stream's complete object, -1 when none came. (A caller that wants a
/// cancellation as the stream's errc::cancelled turns off throw_if_cancelled first: the
/// setting is the coroutine thread's, this one's included.)
inline boost::asio::awaitable<int> streamed_age(instructor::client c, instructor::request req)
{
    auto s = c.create_partial<models::UserInfo>(req);
    int age = -1;
    while (auto p = co_await s.next())
        if (p->complete)
            age = p->value.age;
    co_return age;
}

}  // namespace test
