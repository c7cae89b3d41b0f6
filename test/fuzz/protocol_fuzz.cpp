// libFuzzer: any bytes as a provider's response, stream chunk or free text: the protocol layer
// answers or throws ins::error, and never crashes.
#include <instructor/detail/protocol.hpp>
#include <instructor/error.hpp>

#include <boost/json/parse.hpp>

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    namespace det = instructor::detail;
    std::string_view text(reinterpret_cast<char const*>(data), size);
    (void)det::find_json_block(text);
    det::json_text_follower f;
    for (std::size_t i = 0; i < text.size(); i += 3)
        (void)f.feed(text.substr(i, 3));
    try {
        (void)det::parse_chat_chunk(text);
    }
    catch (instructor::error const&) {
    }
    try {
        bool stopped = false;
        (void)det::parse_messages_event("", text, stopped);
    }
    catch (instructor::error const&) {
    }
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec)
        return 0;
    for (auto m : {instructor::mode::tools, instructor::mode::parallel_tools, instructor::mode::json,
                   instructor::mode::md_json, instructor::mode::anthropic_tools,
                   instructor::mode::anthropic_json}) {
        try {
            auto x = instructor::is_anthropic_mode(m) ? det::extract_messages(m, v)
                                                      : det::extract_chat(m, v);
            (void)(instructor::is_anthropic_mode(m) ? det::anthropic_reask(m, v, x, "e")
                                                    : det::reask_messages(m, v, x, "e"));
            (void)det::chat_usage(v);
            (void)det::messages_usage(v);
        }
        catch (instructor::error const&) {
        }
    }
    return 0;
}
