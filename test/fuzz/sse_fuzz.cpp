// libFuzzer: any bytes into the SSE reader, in one piece and in small pieces, must give the same
// events, and never crash or trip a sanitizer.
#include "net/sse_parser.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace {

std::vector<std::string> events(std::string_view text, std::size_t piece)
{
    instructor::net::sse_parser p({.max_line = 4096, .max_event = 16384});
    std::vector<std::string> out;
    for (std::size_t i = 0; i < text.size(); i += piece) {
        if (p.feed(text.substr(i, piece)))
            break;
        while (auto e = p.next())
            out.push_back(e->event + '\0' + e->data + '\0' + e->id);
    }
    (void)p.finish();
    while (auto e = p.next())
        out.push_back(e->event + '\0' + e->data + '\0' + e->id);
    out.push_back(p.done() ? "done" : "open");
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<char const*>(data), size);
    std::size_t piece = size ? 1 + data[size - 1] % 7 : 1;
    if (events(text, text.size() + 1) != events(text, piece))
        std::abort();
    return 0;
}
