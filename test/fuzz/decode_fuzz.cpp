// libFuzzer: any bytes into the decoder, whole and split in two, must give the same verdict and
// issues, and never crash, hang or trip a sanitizer. With repair on, JSON as it stands decodes
// as without repair, and whatever a repair makes of the bytes encodes and decodes again.
#include "models.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<char const*>(data), size);
    auto whole = ins::decode<models::Household>(text, {.repair = false});
    auto repaired = ins::decode<models::Household>(text);
    if (whole && (!repaired || !repaired.repairs.empty() ||
                  ins::to_json(*repaired.value) != ins::to_json(*whole.value)))
        std::abort();
    if (repaired)
        if (auto again = ins::decode<models::Household>(ins::to_json(*repaired.value));
            !again || !again.repairs.empty())
            std::abort();
    auto person = ins::decode<models::Person>(text, ins::strict_decoding);
    auto any = ins::decode<models::Anything>(text);
    (void)person;
    (void)any;

    std::size_t cut = size ? data[0] % (size + 1) : 0;
    ins::decoder<models::Household> d({.repair = false});
    d.write(text.substr(0, cut));
    d.write(text.substr(cut));
    bool ok = d.finish();
    // Splitting the input must not change the result. (A syntax issue's offset and quoted text
    // come from the parser's view of the piece at hand, so they may move by a token; that it
    // is a syntax issue, and every other issue, may not change.)
    auto comparable = [](std::vector<ins::validation_issue> issues) {
        for (auto& i : issues)
            if (i.kind == ins::issue_kind::syntax)
                i.message.clear();
        return issues;
    };
    if (ok != bool(whole) || comparable(d.issues()) != comparable(whole.issues))
        std::abort();
    if (ok && ins::to_json(d.value()) != ins::to_json(*whole.value))
        std::abort();
    if (ok)  // what decoded encodes and decodes again to the same
        if (auto again = ins::decode<models::Household>(ins::to_json(*whole.value));
            !again || ins::to_json(*again.value) != ins::to_json(*whole.value))
            std::abort();
    return 0;
}
