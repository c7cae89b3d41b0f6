// Streamed answer text repaired as it arrives (the streams' side of decode_options::repair):
// lenient JSON in, strict JSON out, in O(n). Compiled in lib/ (decode/stream_repair.cpp).
#pragma once

#include <instructor/repair.hpp>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace instructor::detail {

class json_repairer;

class stream_repair {
public:
    stream_repair();
    ~stream_repair();
    stream_repair(stream_repair&&) noexcept;
    stream_repair& operator=(stream_repair&&) noexcept;

    /// The strict text for `piece` (a few bytes may be held back until they are decided; a bare
    /// value at most json_repairer::max_bare_value bytes). Once
    /// the text is known not to be repairable, nothing more comes out: snapshots stop where the
    /// text broke, and the verdict on the whole text says why.
    std::string feed(std::string_view piece);
    /// True once the text is known not to be repairable.
    bool broken() const noexcept { return broken_; }
    /// Ends the text: what was held back, when it completes the value.
    std::string finish();
    std::vector<json_repair> const& repairs() const noexcept;

private:
    std::unique_ptr<json_repairer> impl_;
    bool broken_ = false;
};

/// Writes `text` to `out` (a decoder or a decode session), through `repair` when there is one.
template <class Out>
void write_through(std::optional<stream_repair>& repair, Out& out, std::string_view text)
{
    if (!repair)
        out.write(text);
    else if (auto strict = repair->feed(text); !strict.empty())
        out.write(strict);
}

/// The text ended: what `repair` held back goes to `out` (while its value is open), and what it
/// fixed is added to `repairs` (up to max_repairs_listed in all).
template <class Out>
void finish_through(std::optional<stream_repair>& repair, Out& out, std::vector<json_repair>& repairs)
{
    if (!repair)
        return;
    if (auto rest = repair->finish(); !rest.empty() && !out.done())
        out.write(rest);
    auto const& more = repair->repairs();
    auto const room = max_repairs_listed - std::min(repairs.size(), max_repairs_listed);
    repairs.insert(repairs.end(), more.begin(), more.begin() + std::min(room, more.size()));
}

}  // namespace instructor::detail
