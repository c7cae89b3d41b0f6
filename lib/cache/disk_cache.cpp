// The directory cache: one file per entry, named by its key, written atomically (a temporary
// file in the same directory, then rename), so readers in other processes see a whole entry
// or none.
#include <instructor/cache.hpp>
#include <instructor/error.hpp>

#include <atomic>
#include <cctype>
#include <fstream>
#include <sstream>
#include <system_error>

#include <unistd.h>

namespace instructor {

namespace {

namespace fs = std::filesystem;

/// Keys are ours (hex digests), but a custom key must not escape the directory.
bool safe_name(std::string const& key)
{
    if (key.empty() || key.size() > 200)
        return false;
    for (char c : key)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'))
            return false;
    return true;
}

class disk_cache final : public cache {
public:
    disk_cache(fs::path dir, std::size_t max_bytes) : dir_(std::move(dir)), max_(max_bytes)
    {
        std::error_code ec;
        fs::create_directories(dir_, ec);
        if (ec || !fs::is_directory(dir_, ec))
            throw error(errc::invalid_argument,
                        "make_disk_cache: cannot use " + dir_.string() + " as a directory");
    }

    boost::asio::awaitable<std::optional<std::string>> get(std::string key) override
    {
        co_return read(key);
    }

    boost::asio::awaitable<void> put(std::string key, std::string value) override
    {
        write(key, value);
        co_return;
    }

private:
    std::optional<std::string> read(std::string const& key) const
    {
        if (!safe_name(key))
            return std::nullopt;
        auto const path = dir_ / key;
        std::error_code ec;
        auto const size = fs::file_size(path, ec);
        if (ec || size > max_)
            return std::nullopt;  // absent, or larger than an entry may be
        std::ifstream in(path, std::ios::binary);
        if (!in)
            return std::nullopt;
        std::string data(static_cast<std::size_t>(size), '\0');
        in.read(data.data(), static_cast<std::streamsize>(size));
        if (static_cast<std::size_t>(in.gcount()) != size)
            return std::nullopt;  // replaced while read: a miss
        return data;
    }

    void write(std::string const& key, std::string const& value) const
    {
        if (!safe_name(key) || value.size() > max_)
            return;
        // A name no other writer uses: this process, this cache, a counter.
        static std::atomic<unsigned long> counter{0};
        std::ostringstream tmp_name;
        tmp_name << ".tmp-" << ::getpid() << '-' << this << '-' << counter++;
        auto const tmp = dir_ / tmp_name.str();
        {
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            out.write(value.data(), static_cast<std::streamsize>(value.size()));
            out.flush();
            if (!out) {
                std::error_code ignore;
                fs::remove(tmp, ignore);
                throw error(errc::connection_failed, "the disk cache cannot write to " + dir_.string());
            }
        }
        std::error_code ec;
        fs::rename(tmp, dir_ / key, ec);  // atomic on POSIX: readers see the old or the new file
        if (ec) {
            fs::remove(tmp, ec);
            throw error(errc::connection_failed, "the disk cache cannot store an entry in " + dir_.string());
        }
    }

    fs::path dir_;
    std::size_t max_;
};

}  // namespace

std::shared_ptr<cache> make_disk_cache(std::filesystem::path directory, std::size_t max_entry_bytes)
{
    return std::make_shared<disk_cache>(std::move(directory), max_entry_bytes);
}

}  // namespace instructor
