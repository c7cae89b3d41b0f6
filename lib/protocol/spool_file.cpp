#include "protocol/spool_file.hpp"

#include <instructor/error.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <unistd.h>

namespace instructor::detail {

namespace {

[[noreturn]] void fail(std::string const& what, std::string const& path)
{
    throw error(errc::invalid_argument, "the batch file " + path + ": " + what + ": " +
                                            std::strerror(errno));
}

}  // namespace

spool_file::~spool_file()
{
    if (file_)
        std::fclose(file_);
    if (!path_.empty())
        ::unlink(path_.c_str());
}

void spool_file::append(std::string_view text)
{
    if (!file_) {
        if (!path_.empty())
            throw error(errc::invalid_argument, "the batch file is already finished");
        char const* dir = std::getenv("TMPDIR");
        std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/instructor-batch-XXXXXX";
        int const fd = ::mkstemp(tmpl.data());
        if (fd < 0)
            fail("cannot create", tmpl);
        path_ = tmpl;
        file_ = ::fdopen(fd, "wb");
        if (!file_) {
            ::close(fd);
            fail("cannot open", path_);
        }
    }
    if (std::fwrite(text.data(), 1, text.size(), file_) != text.size())
        fail("cannot write", path_);
    size_ += text.size();
}

std::string const& spool_file::finish()
{
    if (file_) {
        bool const ok = std::fflush(file_) == 0;
        std::fclose(file_);
        file_ = nullptr;
        if (!ok)
            fail("cannot write", path_);
    }
    return path_;
}

}  // namespace instructor::detail
