// The directory cache: one file per entry, named by its key, written atomically (a temporary
// file in the same directory, then rename), so readers in other processes see a whole entry
// or none. Entries are private to the user: files 0600 and directories created 0700 whatever
// the umask, temporary files created exclusively under a random name and never through a
// symlink, and a directory another user owns (who could plant links or read entries) refused.
#include <instructor/cache.hpp>
#include <instructor/error.hpp>

#include <cctype>
#include <cerrno>
#include <random>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
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

/// Closes a descriptor at the end of a scope.
struct fd_guard {
    int fd = -1;
    ~fd_guard()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

/// A temporary file name no one can predict (so none can be planted ahead of it).
std::string random_tmp_name()
{
    static thread_local std::random_device rd;
    static char const hex[] = "0123456789abcdef";
    std::string name = ".tmp-";
    for (int i = 0; i < 4; ++i) {
        auto v = rd();
        for (int j = 0; j < 8; ++j, v >>= 4)
            name.push_back(hex[v & 0xf]);
    }
    return name;
}

/// Creates `dir` and its missing parents, each new one 0700 (chmod: the umask may have taken
/// bits off); then refuses a directory that is not a directory or that another user owns.
void prepare_directory(fs::path const& dir)
{
    auto const refuse = [&](std::string const& why) {
        throw error(errc::invalid_argument,
                    "make_disk_cache: cannot use " + dir.string() + " as a directory (" + why + ")");
    };
    fs::path built;
    for (auto const& part : dir.lexically_normal()) {
        built /= part;
        if (part.empty())
            continue;
        if (::mkdir(built.c_str(), 0700) == 0) {
            fd_guard d{::open(built.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
            if (d.fd < 0 || ::fchmod(d.fd, 0700) != 0)
                refuse(std::system_category().message(errno));
        }
        else if (int const err = errno; err != EEXIST) {
            struct stat st {};  // an existing parent we may not write to is fine
            if (::stat(built.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
                refuse(std::system_category().message(err));
        }
    }
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0)
        refuse(std::system_category().message(errno));
    if (S_ISLNK(st.st_mode) && ::stat(dir.c_str(), &st) != 0)  // a link the user made is fine
        refuse(std::system_category().message(errno));
    if (!S_ISDIR(st.st_mode))
        refuse("not a directory");
    if (st.st_uid != ::geteuid())
        refuse("owned by another user, who could read its entries or plant links in it");
}

class disk_cache final : public cache {
public:
    disk_cache(fs::path dir, std::size_t max_bytes) : dir_(std::move(dir)), max_(max_bytes)
    {
        prepare_directory(dir_);
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
        fd_guard f{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
        struct stat st {};
        if (f.fd < 0 || ::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode) ||
            static_cast<std::uintmax_t>(st.st_size) > max_)
            return std::nullopt;  // absent, a link, or larger than an entry may be
        std::string data(static_cast<std::size_t>(st.st_size), '\0');
        std::size_t got = 0;
        while (got < data.size()) {
            auto n = ::read(f.fd, data.data() + got, data.size() - got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return std::nullopt;  // replaced while read: a miss
            got += static_cast<std::size_t>(n);
        }
        return data;
    }

    void write(std::string const& key, std::string const& value) const
    {
        if (!safe_name(key) || value.size() > max_)
            return;
        auto const fail = [&] {
            throw error(errc::connection_failed, "the disk cache cannot write to " + dir_.string());
        };
        auto tmp = dir_ / random_tmp_name();
        fd_guard f;
        for (int tries = 0; f.fd < 0 && tries < 8; ++tries) {  // EEXIST: another name
            f.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
            if (f.fd < 0 && errno != EEXIST)
                fail();
            if (f.fd < 0)
                tmp = dir_ / random_tmp_name();
        }
        if (f.fd < 0)
            fail();
        bool ok = ::fchmod(f.fd, 0600) == 0;  // the umask may have taken bits off
        for (std::size_t done = 0; ok && done < value.size();) {
            auto n = ::write(f.fd, value.data() + done, value.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            ok = n > 0;
            done += ok ? static_cast<std::size_t>(n) : 0;
        }
        std::error_code ec;
        if (!ok) {
            fs::remove(tmp, ec);
            fail();
        }
        // Atomic on POSIX, and it replaces a link at the key rather than following it.
        fs::rename(tmp, dir_ / key, ec);
        if (ec) {
            fs::remove(tmp, ec);
            throw error(errc::connection_failed,
                        "the disk cache cannot store an entry in " + dir_.string());
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
