#include "json_repair.hpp"

#include <instructor/detail/stream_repair.hpp>

namespace instructor::detail {

stream_repair::stream_repair() : impl_(std::make_unique<json_repairer>()) {}
stream_repair::~stream_repair() = default;
stream_repair::stream_repair(stream_repair&&) noexcept = default;
stream_repair& stream_repair::operator=(stream_repair&&) noexcept = default;

std::string stream_repair::feed(std::string_view piece)
{
    if (raw_)
        return std::string(piece);
    std::size_t const before = fed_;
    fed_ += piece.size();
    std::string out = impl_->feed(piece);
    if (impl_->failed()) {
        // Beyond repair: the text from where it broke goes through untouched, and the decoder
        // says what is wrong there.
        raw_ = true;
        auto const at = impl_->consumed() > before ? impl_->consumed() - before : 0;
        if (at < piece.size())
            out.append(piece.substr(at));
    }
    return out;
}

std::string stream_repair::finish() { return raw_ ? std::string() : impl_->finish(); }

std::vector<json_repair> const& stream_repair::repairs() const noexcept { return impl_->repairs(); }

}  // namespace instructor::detail
