// libFuzzer: any bytes as a message template (and, after a NUL, any JSON object as its context)
// must render or be refused with invalid_argument, never crash, and never render more than the
// bound measured before rendering allows.
#include "client/templates.hpp"

#include <instructor/error.hpp>
#include <instructor/message.hpp>

#include <boost/json/parse.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

namespace det = instructor::detail;

// Lists to fan out over, nesting, values that look like templates, every kind of scalar.
constexpr std::string_view default_context = R"({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    "b": ["x", "yy", "{{#a}}{{/a}}"], "o": {"a": [[1, 2], [3, [4, 5]]], "s": "str", "t": true},
    "s": "some text", "t": true, "f": false, "n": null, "p": "{{>p}}", "e": [], "x": 2.5})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view input(reinterpret_cast<char const*>(data), size);
    auto const nul = input.find('\0');
    boost::system::error_code ec;
    auto context = boost::json::parse(
        nul == std::string_view::npos ? default_context : input.substr(nul + 1), ec);
    if (ec || !context.is_object())
        return 0;
    instructor::request req;
    req.messages.push_back(instructor::message::user(std::string(input.substr(0, nul))));
    req.context = std::move(context.as_object());
    det::template_limits const limits{.max_bytes = 8192, .max_depth = 32, .max_output = 64 * 1024};
    try {
        det::render_templates(req, limits);
    }
    catch (instructor::error const& e) {
        if (e.code_enum() != instructor::errc::invalid_argument)
            std::abort();
        return 0;
    }
    if (req.messages[0].content.size() > limits.max_output)
        std::abort();  // the bound measured before rendering was not one
    return 0;
}
