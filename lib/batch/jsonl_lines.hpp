// A JSONL body cut into lines as its bytes arrive, holding at most one line and one read.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace instructor::detail {

class jsonl_lines {
public:
    /// A line (or the unfinished rest) longer than `max_line` bytes is response_too_large;
    /// more than `max_line` bytes of blank lines in a row, protocol_error (a server that sends
    /// only line ends would otherwise keep next() reading forever).
    explicit jsonl_lines(std::size_t max_line) : max_line_(max_line) {}

    /// Throws ins::error(response_too_large) when the unfinished line passes max_line.
    void feed(std::string_view bytes);
    /// The next complete line without its line end; blank lines are skipped.
    std::optional<std::string> next();
    /// The body ended: a last line without a line end becomes complete.
    void finish() noexcept { ended_ = true; }

private:
    std::string buf_;
    std::size_t pos_ = 0;   // start of the first line not handed out
    std::size_t open_ = 0;  // bytes after the last line end: the unfinished line
    std::size_t blank_ = 0;  // bytes of blank lines since the last line handed out
    std::size_t max_line_;
    bool ended_ = false;
};

}  // namespace instructor::detail
