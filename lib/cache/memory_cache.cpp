// The in-process LRU cache: a list in use order and an index into it, under one mutex.
#include <instructor/cache.hpp>
#include <instructor/error.hpp>

#include <list>
#include <mutex>
#include <unordered_map>

namespace instructor {

namespace {

class memory_cache final : public cache {
public:
    explicit memory_cache(std::size_t max_entries) : max_(max_entries) {}

    boost::asio::awaitable<std::optional<std::string>> get(std::string key) override
    {
        co_return lookup(key);
    }

    boost::asio::awaitable<void> put(std::string key, std::string value) override
    {
        store(std::move(key), std::move(value));
        co_return;
    }

private:
    using entry = std::pair<std::string, std::string>;

    std::optional<std::string> lookup(std::string const& key)
    {
        std::lock_guard lock(mutex_);
        auto it = index_.find(key);
        if (it == index_.end())
            return std::nullopt;
        order_.splice(order_.begin(), order_, it->second);  // most recently used first
        return it->second->second;
    }

    void store(std::string key, std::string value)
    {
        std::lock_guard lock(mutex_);
        if (auto it = index_.find(key); it != index_.end()) {
            it->second->second = std::move(value);
            order_.splice(order_.begin(), order_, it->second);
            return;
        }
        order_.emplace_front(std::move(key), std::move(value));
        index_.emplace(order_.front().first, order_.begin());
        while (order_.size() > max_) {
            index_.erase(order_.back().first);
            order_.pop_back();
        }
    }

    std::size_t max_;
    std::mutex mutex_;
    std::list<entry> order_;
    std::unordered_map<std::string, std::list<entry>::iterator> index_;
};

}  // namespace

std::shared_ptr<cache> make_memory_cache(std::size_t max_entries)
{
    if (max_entries == 0)
        throw error(errc::invalid_argument, "make_memory_cache: max_entries is 0");
    return std::make_shared<memory_cache>(max_entries);
}

}  // namespace instructor
