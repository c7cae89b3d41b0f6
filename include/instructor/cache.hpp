// A store of validated answers (client_options::cache): a call whose question was answered
// before is answered from it, with no request.
//
// The key is a SHA-256 of the endpoint's base URL, the exact request body of the first attempt
// (model, messages, mode, schema as sent) and the response model's schema: never the API key.
// Only answers that validated are stored, and a hit is validated again before it is used (a
// validator may read the request's context, which the body does not carry), so a stale or
// corrupt entry is a miss, never a wrong answer. A hit's completion has `from_cache == true`,
// `attempts == 0` and no usage; it emits no HTTP hooks. A stream replays a hit as one complete
// snapshot. A cache that fails (unreachable, full disk) never fails a call: the call goes to the
// model and hook::cache_error reports it.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace instructor {

class cache {
public:
    virtual ~cache() = default;
    /// The entry stored under `key`, or nullopt. Throws (anything) when the store cannot answer.
    virtual boost::asio::awaitable<std::optional<std::string>> get(std::string key) = 0;
    /// Stores `value` under `key`, replacing what was there. Throws when the store cannot.
    virtual boost::asio::awaitable<void> put(std::string key, std::string value) = 0;
    /// Texts no error or hook may show (a password in the store's URL): a client using this
    /// cache redacts them, with its API keys, from everything it hands out.
    virtual std::vector<std::string> secrets() const { return {}; }
};

/// In this process, the `max_entries` most recently used (LRU). Safe to share between threads.
std::shared_ptr<cache> make_memory_cache(std::size_t max_entries);

/// One file per entry in `directory` (created when missing): written to a temporary file and
/// renamed into place, so processes sharing the directory never read half an entry. Entries
/// larger than `max_entry_bytes` are neither written nor read. Entries are the user's alone:
/// files 0600, the directories it creates 0700 (whatever the umask), no symlink followed.
/// Throws ins::error(invalid_argument) when `directory` cannot be made a directory or is owned
/// by another user (who could read entries or plant links in it).
std::shared_ptr<cache> make_disk_cache(std::filesystem::path directory,
                                       std::size_t max_entry_bytes = 16 * 1024 * 1024);

/// The limits of a Redis cache. Defaults suit a Redis on the same network.
struct redis_cache_options {
    std::string key_prefix = "instructor:";  ///< put before every key: the cache's namespace
    /// Bounds resolving the host, connecting, AUTH and SELECT.
    std::chrono::milliseconds connect_timeout = std::chrono::seconds(1);
    /// Bounds each get or put, from the call to the answer (waiting for a connection included).
    std::chrono::milliseconds command_timeout = std::chrono::seconds(1);
    /// After a failed connect or a timeout, gets and puts fail at once for this long: a dead
    /// Redis costs a call one fast failure, not a connect attempt.
    std::chrono::milliseconds reconnect_delay = std::chrono::seconds(1);
    /// Larger entries are neither written nor read: Redis is never asked for more.
    std::size_t max_entry_bytes = 16 * 1024 * 1024;
};

/// Entries in Redis, shared by every process that uses the same server and prefix: `SET
/// <prefix><key> <value> EX <ttl>`, read back with `GETRANGE` bounded by max_entry_bytes.
/// `url` is `redis://[[user]:password@]host[:port][/db]` (port 6379, db 0; AUTH and SELECT
/// when given). Throws errc::invalid_argument for a bad URL or option; no error text ever
/// contains the password.
///
/// The cache runs its connection on a thread of its own and may be shared by clients on any
/// executor or thread. It connects at first use and again after a failure; every get and put is
/// bounded by the options' timeouts and throws errc::cache_failed when Redis cannot answer
/// (which the call reports through hook::cache_error). A cancelled call waits for its cache
/// operation, which these timeouts bound. Destroying the cache fails what is still in flight and
/// returns at once, whatever DNS does (a host being resolved is left to a thread of its own).
///
/// The connection is clear text (no TLS; `rediss://` is refused): the password and the entries
/// cross the network unencrypted. Keep Redis on a trusted network or behind a tunnel.
std::shared_ptr<cache> make_redis_cache(std::string url,
                                        std::chrono::seconds ttl = std::chrono::hours(24),
                                        redis_cache_options options = {});

}  // namespace instructor
