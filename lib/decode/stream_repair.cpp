#include "json_repair.hpp"

#include <instructor/detail/stream_repair.hpp>

namespace instructor::detail {

stream_repair::stream_repair() : impl_(std::make_unique<json_repairer>()) {}
stream_repair::~stream_repair() = default;
stream_repair::stream_repair(stream_repair&&) noexcept = default;
stream_repair& stream_repair::operator=(stream_repair&&) noexcept = default;

std::string stream_repair::feed(std::string_view piece)
{
    if (broken_)
        return {};
    std::string out = impl_->feed(piece);
    // Beyond repair: what was decided before the break stands, the rest is not shown (passing
    // it on without the bytes held back would make values the text does not hold, `1/2` read
    // as 12). The stream's verdict comes from the whole text anyway.
    broken_ = impl_->failed();
    return out;
}

std::string stream_repair::finish() { return broken_ ? std::string() : impl_->finish(); }

std::vector<json_repair> const& stream_repair::repairs() const noexcept { return impl_->repairs(); }

}  // namespace instructor::detail
