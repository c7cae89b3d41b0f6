// The rate limiter shared through Redis: the same token buckets as the local one, kept in Redis
// hashes and updated by Lua scripts (atomic on the server; every time read from Redis's TIME, so
// the machines' clocks never meet), places in flight as leases in a sorted set that expire (a
// process that dies frees its places), and the provider's pauses as one key. Redis unreachable
// or answering an error: the same limits in this process alone (rate_buckets), never a failed
// call.
#include "cache/redis_runner.hpp"
#include "cache/redis_target.hpp"
#include "limit/rate_buckets.hpp"

#include <instructor/error.hpp>
#include <instructor/rate_limiter.hpp>

#include <atomic>
#include <charconv>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace instructor {

namespace {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

// KEYS: requests bucket, tokens bucket, in-flight leases, pause.
// ARGV: requests/min, tokens/min, max in flight (0: none), tokens, lease id, lease ms.
// Returns "0" (taken), "-1" (no place in flight) or the milliseconds to wait.
constexpr char const* take_script = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = tonumber(redis.call('GET', KEYS[4]) or '0') or 0
if paused > now then return tostring(paused - now) end
local rpm, tpm, maxf = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tokens = tonumber(ARGV[4])
local function level(key, per_min)
  local cap = math.max(per_min / 60, 1)
  local h = redis.call('HMGET', key, 'level', 'at')
  local l, at = tonumber(h[1]), tonumber(h[2])
  if not l or not at then return cap, cap end
  if now > at then l = math.min(cap, l + (now - at) * per_min / 60000) end
  return l, cap
end
local wait = 0
local rl, rcap, tl, tcap
if rpm > 0 then
  rl, rcap = level(KEYS[1], rpm)
  if rl < 1 - 1e-9 then wait = math.max(wait, math.ceil((1 - rl) * 60000 / rpm)) end
end
if tpm > 0 then
  tl, tcap = level(KEYS[2], tpm)
  local need = math.min(tokens, tcap)
  if tl < need - 1e-9 then wait = math.max(wait, math.ceil((need - tl) * 60000 / tpm)) end
end
if wait > 0 then return tostring(wait) end
if maxf > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  if redis.call('ZCARD', KEYS[3]) >= maxf then return '-1' end
  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[6]), ARGV[5])
  redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[6]))
end
local function store(key, l, cap, per_min)
  redis.call('HSET', key, 'level', tostring(l), 'at', tostring(now))
  redis.call('PEXPIRE', key, math.ceil((cap - l) * 60000 / per_min) + 1000)
end
if rpm > 0 then store(KEYS[1], rl - 1, rcap, rpm) end
if tpm > 0 then store(KEYS[2], tl - tokens, tcap, tpm) end
return '0'
)lua";

// KEYS: tokens bucket, in-flight leases, requests bucket. ARGV: lease id, estimate, used (-1:
// unknown), tokens/min, requests/min, unsent (1: never sent, the request comes back too).
constexpr char const* give_back_script = R"lua(
redis.call('ZREM', KEYS[2], ARGV[1])
local estimate, used = tonumber(ARGV[2]), tonumber(ARGV[3])
local tpm, rpm, unsent = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6] == '1'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function refund(key, per_min, amount)
  local h = redis.call('HMGET', key, 'level', 'at')
  local l, at = tonumber(h[1]), tonumber(h[2])
  if not l or not at then return end
  local cap = math.max(per_min / 60, 1)
  if now > at then l = math.min(cap, l + (now - at) * per_min / 60000) end
  l = math.min(cap, l + amount)
  redis.call('HSET', key, 'level', tostring(l), 'at', tostring(now))
  redis.call('PEXPIRE', key, math.ceil((cap - l) * 60000 / per_min) + 1000)
end
if unsent then used = 0 end
if used >= 0 and tpm > 0 then refund(KEYS[1], tpm, estimate - used) end
if unsent and rpm > 0 then refund(KEYS[3], rpm, 1) end
return '0'
)lua";

// KEYS: pause. ARGV: milliseconds (at least 1).
constexpr char const* pause_script = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untl = now + tonumber(ARGV[1])
if untl > (tonumber(redis.call('GET', KEYS[1]) or '0') or 0) then
  redis.call('SET', KEYS[1], tostring(untl), 'PX', ARGV[1])
end
return '0'
)lua";

/// How long a place in flight is held at most (a stream longer than this lets another in).
constexpr std::chrono::minutes lease{10};
/// How soon a request that found every place in flight taken asks again.
constexpr std::chrono::milliseconds full_poll{50};

redis_cache_options link_options()
{
    redis_cache_options o;
    o.connect_timeout = std::chrono::seconds(1);
    o.command_timeout = std::chrono::milliseconds(500);
    o.reconnect_delay = std::chrono::seconds(1);
    return o;
}

std::string count(std::optional<std::uint32_t> n) { return std::to_string(n.value_or(0)); }

class redis_rate_limiter final : public rate_limiter,
                                 public std::enable_shared_from_this<redis_rate_limiter> {
public:
    redis_rate_limiter(redis::target where, std::string const& name, rate_limit limits)
        : requests_key_("{" + name + "}:requests"), tokens_key_("{" + name + "}:tokens"),
          leases_key_("{" + name + "}:in-flight"), pause_key_("{" + name + "}:pause"),
          limits_(limits),
          local_(limits), runner_(std::move(where), link_options(), redis::resolve_host)
    {
        std::random_device rd;  // lease ids unique across processes: a random part per limiter
        lease_prefix_ = std::to_string(rd()) + "-" + std::to_string(rd()) + "-";
    }

    asio::awaitable<std::optional<time_point>> take(std::uint64_t tokens) override
    {
        auto self = shared_from_this();  // alive until the reply, whoever drops it meanwhile
        auto const id = lease_prefix_ + std::to_string(next_id_.fetch_add(1));
        std::optional<std::int64_t> answer;
        try {
            std::vector<std::string> command{
                "EVAL", take_script, "4", requests_key_, tokens_key_, leases_key_, pause_key_,
                count(limits_.requests_per_minute), count(limits_.tokens_per_minute),
                count(limits_.max_in_flight), std::to_string(tokens), id,
                std::to_string(std::chrono::milliseconds(lease).count())};
            auto r = co_await runner_.exec(std::move(command));
            std::int64_t n = 0;
            auto const [end, ec] = std::from_chars(r.str.data(), r.str.data() + r.str.size(), n);
            if (r.is_string() && ec == std::errc{} && end == r.str.data() + r.str.size() && n >= -1)
                answer = n;
        }
        catch (...) {  // unreachable, timed out, an error reply: this process's limits
            try {  // a script that ran after all must not hold a place for ten minutes
                if (limits_.max_in_flight)
                    runner_.send({"ZREM", leases_key_, id});
            }
            catch (...) {
            }
        }
        auto const now = clock::now();
        std::lock_guard lock(mutex_);
        if (!answer) {
            auto later = local_.take(now, tokens);
            if (!later) {
                ++stats_.taken;
                held_.push_back({});  // a local place
                co_return std::nullopt;
            }
            ++stats_.waits;
            if (*later == time_point::max())
                later = now + full_poll;
            stats_.waited += std::chrono::ceil<std::chrono::milliseconds>(*later - now);
            co_return later;
        }
        if (*answer == 0) {
            ++stats_.taken;
            held_.push_back(id);
            co_return std::nullopt;
        }
        auto const wait = *answer < 0 ? full_poll : std::chrono::milliseconds(*answer);
        ++stats_.waits;
        stats_.waited += wait;
        co_return now + wait;
    }

    void give_back(std::uint64_t estimated, std::optional<std::uint64_t> used) noexcept override
    {
        settle(estimated, used, false);
    }

    void give_back_unsent(std::uint64_t estimated) noexcept override
    {
        settle(estimated, 0, true);
    }

    void settle(std::uint64_t estimated, std::optional<std::uint64_t> used, bool unsent) noexcept
    {
        std::string id;
        {
            std::lock_guard lock(mutex_);
            if (held_.empty())
                return;
            id = std::move(held_.front());  // places of this process are alike: any one goes
            held_.pop_front();
            if (id.empty()) {
                if (unsent)
                    local_.untake(clock::now(), estimated);
                else
                    local_.give_back(clock::now(), estimated, used);
                return;
            }
        }
        try {
            runner_.send({"EVAL", give_back_script, "3", tokens_key_, leases_key_, requests_key_,
                          id, std::to_string(estimated),
                          used ? std::to_string(*used) : std::string("-1"),
                          count(limits_.tokens_per_minute), count(limits_.requests_per_minute),
                          unsent ? "1" : "0"});
        }
        catch (...) {  // no memory to send it: the lease expires on its own
        }
    }

    void learn(rate_limit_signal const& signal) noexcept override
    {
        auto const pause = detail::rate_buckets::pause_of(signal);
        if (!pause)
            return;
        {
            std::lock_guard lock(mutex_);
            local_.pause_until(clock::now() + *pause);
        }
        try {
            runner_.send({"EVAL", pause_script, "1", pause_key_,
                          std::to_string(std::max<std::int64_t>(pause->count(), 1))});
        }
        catch (...) {
        }
    }

    rate_limit_stats stats() const override
    {
        std::lock_guard lock(mutex_);
        return stats_;
    }

private:
    std::string requests_key_, tokens_key_, leases_key_, pause_key_;
    rate_limit limits_;
    std::string lease_prefix_;
    std::atomic<std::uint64_t> next_id_{1};
    mutable std::mutex mutex_;
    detail::rate_buckets local_;     // when Redis cannot answer
    std::deque<std::string> held_;   // lease ids held ("" for a local place)
    rate_limit_stats stats_;
    redis::runner runner_;  // last: its thread stops first
};

}  // namespace

std::shared_ptr<rate_limiter> make_redis_rate_limiter(std::string url, std::string name,
                                                      rate_limit limits)
{
    if (name.empty() || name.size() > 256)
        throw error(errc::invalid_argument,
                    "make_redis_rate_limiter: the name must be 1 to 256 characters");
    detail::rate_buckets check(limits);  // a limit of 0 is refused here
    return std::make_shared<redis_rate_limiter>(redis::parse_url(url), name, limits);
}

}  // namespace instructor
