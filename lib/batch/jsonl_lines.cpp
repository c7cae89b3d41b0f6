#include "batch/jsonl_lines.hpp"

#include <instructor/error.hpp>

#include <cstring>

namespace instructor::detail {

void jsonl_lines::feed(std::string_view bytes)
{
    if (pos_ > 0 && pos_ >= buf_.size() / 2) {  // drop what was handed out, amortised O(1)
        buf_.erase(0, pos_);
        pos_ = 0;
    }
    buf_.append(bytes);
    auto const lf = bytes.rfind('\n');  // only the new bytes are scanned
    open_ = lf == std::string_view::npos ? open_ + bytes.size() : bytes.size() - lf - 1;
    if (open_ > max_line_)
        throw error(errc::response_too_large,
                    "a batch result line exceeds max_body_bytes (" + std::to_string(max_line_) +
                        " bytes)");
}

std::optional<std::string> jsonl_lines::next()
{
    for (;;) {
        if (pos_ >= buf_.size())
            return std::nullopt;
        auto const* start = buf_.data() + pos_;
        auto const* lf = static_cast<char const*>(std::memchr(start, '\n', buf_.size() - pos_));
        if (!lf && !ended_)
            return std::nullopt;
        std::size_t const len = lf ? static_cast<std::size_t>(lf - start) : buf_.size() - pos_;
        std::string_view line(start, len);
        pos_ += len + (lf ? 1 : 0);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) {
            blank_ += len + 1;
            if (blank_ > max_line_)
                throw error(errc::protocol_error,
                            "a batch's results send line ends and no line (" +
                                std::to_string(blank_) + " bytes)");
            continue;
        }
        blank_ = 0;
        if (line.size() > max_line_)
            throw error(errc::response_too_large,
                        "a batch result line exceeds max_body_bytes (" +
                            std::to_string(max_line_) + " bytes)");
        return std::string(line);
    }
}

}  // namespace instructor::detail
