// A budget that requests draw on (client_options::rate_limiter): the interface, and the one
// of this process. See rate_limit.hpp for how calls use it.
#pragma once

#include <instructor/rate_limit.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace instructor {

/// A budget that requests draw on. Implementations are safe to share between threads and
/// clients. `take` never blocks a thread: it answers at once or after a server round trip.
class rate_limiter {
public:
    using time_point = std::chrono::steady_clock::time_point;
    virtual ~rate_limiter() = default;
    /// Takes room for one request of about `tokens` tokens: nullopt when taken, else the time
    /// to ask again (nothing taken). Never throws for an unreachable store: it answers from
    /// what it knows.
    virtual boost::asio::awaitable<std::optional<time_point>> take(std::uint64_t tokens) = 0;
    /// A request taken for has ended: its in-flight place comes back, and `used` (the tokens
    /// the reply reported, when it did) replaces the estimate.
    virtual void give_back(std::uint64_t estimated, std::optional<std::uint64_t> used) noexcept = 0;
    /// A request taken for was never sent (another limiter had no room): everything it took
    /// comes back, the request itself too. The default gives back its place and its tokens.
    virtual void give_back_unsent(std::uint64_t estimated) noexcept { give_back(estimated, 0); }
    /// What a provider's response said (every response head, 429s and streams included).
    virtual void learn(rate_limit_signal const& signal) noexcept = 0;
    virtual rate_limit_stats stats() const = 0;
};

/// A limiter in this process, to share between clients (client_options::rate_limiter).
/// Throws errc::invalid_argument for a limit of 0.
std::shared_ptr<rate_limiter> make_rate_limiter(rate_limit limits);

/// One budget for every process, on any machine, that uses the same Redis server and `name`
/// (its keys are `{<name>}:requests`, `:tokens`, `:in-flight` and `:pause`: one hash slot, so
/// a Redis Cluster runs its scripts too). The buckets live in
/// Redis and Lua scripts update them atomically, with every time read from Redis's clock (the
/// machines' clocks need not agree). A place in flight is a lease of at most 10 minutes (a
/// process that dies frees its places then). A 429's retry-after learnt by one process pauses
/// them all. When Redis cannot answer (unreachable, slow past 500 ms, an error reply) a request
/// draws on the same limits in this process alone: a call never fails for the limiter.
/// `url` as make_redis_cache's (`redis://[[user]:password@]host[:port][/db]`, clear text).
/// Throws errc::invalid_argument for a bad URL, an empty name or a limit of 0.
std::shared_ptr<rate_limiter> make_redis_rate_limiter(std::string url, std::string name,
                                                      rate_limit limits);

}  // namespace instructor
