// The response cache's side of the call loops: a cache_get or cache_put action carried out.
#pragma once

#include "call_core.hpp"

#include <instructor/cache.hpp>

#include <boost/asio/awaitable.hpp>

namespace instructor::detail {

/// Runs `a` (cache_get or cache_put) on `c`; the event the core takes next. Whatever the cache
/// throws becomes a failure event (errc::cache_failed): the core reports it and goes on.
boost::asio::awaitable<call_event> cache_step(cache& c, call_action const& a);

}  // namespace instructor::detail
