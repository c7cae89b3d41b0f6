// One reply, one meaning, fuzzed: any answer text, in any mode of any API, whole and streamed in
// pieces and reads of any size, must come to the same value or the same error; so must
// create_iterable's items (the stream's items are the whole reply's, or it ends with its error).
// Input: mode, piece size, read size and model (a byte each), then the answer text.
#include "differential.hpp"
#include "models.hpp"

#include <boost/json/parse.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

constexpr ins::mode modes[] = {ins::mode::tools,           ins::mode::json_schema,
                               ins::mode::md_json,         ins::mode::json,
                               ins::mode::anthropic_tools, ins::mode::anthropic_json,
                               ins::mode::responses_tools, ins::mode::responses_structured_outputs,
                               ins::mode::genai_tools,     ins::mode::genai_structured_outputs,
                               ins::mode::bedrock_tools,   ins::mode::bedrock_json};

[[noreturn]] void disagree(char const* what, differential::verdict const& whole,
                           differential::verdict const& streamed)
{
    std::fprintf(stderr, "%s\n  whole:    %s\n  streamed: %s\n", what, whole.describe().c_str(),
                 streamed.describe().c_str());
    std::abort();
}

template <class T>
void check(ins::mode m, std::string const& text, std::size_t piece, std::size_t read)
{
    auto const f = reply_forms::of(m, differential::tool_name<T>(), text, piece);
    boost::system::error_code ec;
    if (!f || (boost::json::parse(f->whole, ec), ec))
        return;  // no API carries it (not UTF-8), or this one cannot
    auto const whole = differential::whole<T>(m, f->whole);
    auto const streamed = differential::partial<T>(m, f->stream, read);
    if (!streamed.same_meaning(whole))
        disagree("create vs create_partial", whole, streamed);

    auto const g = reply_forms::of(m, "Iterable" + differential::tool_name<T>(), text, piece);
    if (!g || (boost::json::parse(g->whole, ec), ec))
        return;
    auto const all = differential::items<T>(m, g->whole, false, 0);
    auto const items = differential::items<T>(m, g->stream, true, read);
    if (all.value ? !items.same_meaning(all) : (items.code != all.code || items.issues != all.issues))
        disagree("create_iterable whole vs streamed", all, items);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    if (size < 4)
        return 0;
    auto const m = modes[data[0] % std::size(modes)];
    std::size_t const piece = 1 + data[1] % 64;
    std::size_t const read = 1 + data[2] % 128;
    std::string const text(reinterpret_cast<char const*>(data + 4), size - 4);
    if (data[3] % 2)
        check<models::Person>(m, text, piece, read);
    else
        check<models::UserInfo>(m, text, piece, read);
    return 0;
}
