// The connection of a Redis cache: hiredis's asynchronous client with its socket watched by
// Asio. Everything here runs on one executor (the cache's thread), so nothing needs a lock.
#pragma once

#include "redis_target.hpp"

#include <instructor/cache.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace instructor::redis {

/// A reply hiredis handed over, copied out before hiredis frees it.
struct redis_reply {
    int type = 0;
    std::string str;  // for strings, statuses and errors

    bool is_string() const;
};

class redis_link;

/// Resolves a host, blocking. The link runs it on a thread of its own that it never waits for:
/// getaddrinfo cannot be cancelled, and a cache is destroyed at once whatever DNS does.
using resolve_fn = std::function<std::vector<boost::asio::ip::tcp::endpoint>(
    std::string const& host, std::uint16_t port, boost::system::error_code& ec)>;

/// getaddrinfo, through Asio's resolver.
std::vector<boost::asio::ip::tcp::endpoint> resolve_host(std::string const& host,
                                                         std::uint16_t port,
                                                         boost::system::error_code& ec);

/// A link that connects at its first command.
std::shared_ptr<redis_link> make_link(boost::asio::any_io_executor ex, target where,
                                      redis_cache_options const& options,
                                      resolve_fn resolve = resolve_host);

/// Runs one command on the link's executor: its reply, or throws errc::cache_failed.
boost::asio::awaitable<redis_reply> exec(std::shared_ptr<redis_link> link,
                                         std::vector<std::string> args);

/// Ends the connection and fails what is in flight; on the link's executor.
void shutdown(redis_link& link);

}  // namespace instructor::redis
