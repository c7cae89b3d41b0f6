// A batch's file written to a temporary file as it is built, so an upload of up to 200 MB is
// streamed from disk, never held in memory (the transport's http_request::body_file).
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace instructor::detail {

class spool_file {
public:
    spool_file() = default;
    /// Removes the file.
    ~spool_file();
    spool_file(spool_file const&) = delete;
    spool_file& operator=(spool_file const&) = delete;

    /// Appends `text`, creating the file (in TMPDIR, else /tmp) at the first write. Throws
    /// ins::error(invalid_argument) when it cannot be created or written (a full disk).
    void append(std::string_view text);
    /// Flushes and closes the file for reading; its path.
    std::string const& finish();
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

private:
    std::FILE* file_ = nullptr;
    std::string path_;
    std::size_t size_ = 0;
};

}  // namespace instructor::detail
