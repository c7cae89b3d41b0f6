// The Redis cache behind make_redis_cache, with the host resolved by a function of the caller's
// (tests: a resolver that does not answer).
#pragma once

#include "redis_link.hpp"

#include <instructor/cache.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace instructor::redis {

/// make_redis_cache(url, ttl, options), resolving the host with `resolve`.
std::shared_ptr<cache> make_cache(std::string const& url, std::chrono::seconds ttl,
                                  redis_cache_options options, resolve_fn resolve);

}  // namespace instructor::redis
