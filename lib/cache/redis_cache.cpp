// The Redis cache: GETRANGE and SET on a redis::runner (a link on a thread of its own).
#include "redis_cache.hpp"
#include "redis_runner.hpp"

#include <instructor/cache.hpp>
#include <instructor/error.hpp>

#include <boost/asio/awaitable.hpp>

namespace instructor {

namespace {

namespace asio = boost::asio;

class redis_cache final : public cache {
public:
    redis_cache(redis::target target, std::chrono::seconds ttl, redis_cache_options options,
                redis::resolve_fn resolve)
        : password_(target.password), prefix_(options.key_prefix),
          ttl_(std::to_string(ttl.count())), max_bytes_(options.max_entry_bytes),
          runner_(std::move(target), options, std::move(resolve))
    {}

    asio::awaitable<std::optional<std::string>> get(std::string key) override
    {
        // GETRANGE, not GET: Redis never sends more than one byte past the limit.
        auto const max = max_bytes_;  // no member is read after the wait: see runner::exec
        std::vector<std::string> command{"GETRANGE", prefix_ + key, "0", std::to_string(max)};
        auto r = co_await runner_.exec(std::move(command));
        if (!r.is_string() || r.str.empty() || r.str.size() > max)
            co_return std::nullopt;  // absent (an empty value is never stored) or too large
        co_return std::move(r.str);
    }

    asio::awaitable<void> put(std::string key, std::string value) override
    {
        if (value.empty() || value.size() > max_bytes_)
            co_return;
        std::vector<std::string> command{"SET", prefix_ + key, std::move(value), "EX", ttl_};
        co_await runner_.exec(std::move(command));
    }

    std::vector<std::string> secrets() const override
    {
        if (password_.empty())
            return {};
        return {password_};
    }

private:
    std::string password_;
    std::string prefix_;
    std::string ttl_;
    std::size_t max_bytes_;
    redis::runner runner_;  // last: its thread stops first
};

}  // namespace

std::shared_ptr<cache> make_redis_cache(std::string url, std::chrono::seconds ttl,
                                        redis_cache_options options)
{
    return redis::make_cache(url, ttl, std::move(options), redis::resolve_host);
}

std::shared_ptr<cache> redis::make_cache(std::string const& url, std::chrono::seconds ttl,
                                         redis_cache_options options, resolve_fn resolve)
{
    auto target = redis::parse_url(url);
    if (ttl.count() <= 0)
        throw error(errc::invalid_argument, "make_redis_cache: the ttl must be positive");
    if (options.connect_timeout.count() <= 0 || options.command_timeout.count() <= 0 ||
        options.reconnect_delay.count() < 0)
        throw error(errc::invalid_argument, "make_redis_cache: a timeout is not positive");
    if (options.max_entry_bytes == 0)
        throw error(errc::invalid_argument, "make_redis_cache: max_entry_bytes is 0");
    return std::make_shared<redis_cache>(std::move(target), ttl, std::move(options),
                                         std::move(resolve));
}

}  // namespace instructor
