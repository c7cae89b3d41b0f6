// libFuzzer: any bytes into the AWS event-stream decoder (Bedrock's converse-stream framing), in
// one piece and in small pieces, must give the same events and the same error, within the
// frame limit, never crashing or tripping a sanitizer; and the bytes as a payload framed by our
// encoder must decode to themselves.
#include "protocol/bedrock/event_stream.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t max_frame = 4096;

std::vector<std::string> events(std::string_view bytes, std::size_t piece)
{
    instructor::detail::event_stream_decoder d(max_frame);
    std::vector<std::string> out;
    std::error_code ec;
    for (std::size_t i = 0; i < bytes.size() && !ec; i += piece)
        ec = d.feed(bytes.substr(i, piece));
    if (!ec)
        ec = d.finish();
    while (auto e = d.next()) {
        if (e->data.size() > max_frame)
            std::abort();
        out.push_back(e->event + '\0' + e->data);
    }
    out.push_back("error " + std::to_string(ec.value()));
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view bytes(reinterpret_cast<char const*>(data), size);
    std::size_t const piece = size ? 1 + data[size - 1] % 13 : 1;
    if (events(bytes, bytes.size() + 1) != events(bytes, piece))
        std::abort();
    auto const framed = instructor::detail::encode_event("contentBlockDelta", bytes);
    auto const back = events(framed, piece);
    if (back.size() != 2 || back[0] != std::string("contentBlockDelta") + '\0' + std::string(bytes))
        if (framed.size() <= max_frame)
            std::abort();
    return 0;
}
