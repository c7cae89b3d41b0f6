// A chat stream chunk's reading in words (its delta, or its error), so that the one-pass and
// the tree readings can be compared: by the wire tests and by the protocol fuzz target.
#pragma once

#include "protocol/openai_chat/openai_chat.hpp"

#include <instructor/error.hpp>

#include <string>
#include <string_view>

namespace test {

inline std::string chunk_reading(instructor::detail::chunk_delta (*read)(std::string_view),
                                 std::string_view data)
{
    try {
        auto const d = read(data);
        std::string s = "content=" + d.content + "|refusal=" + d.refusal + "|reasoning=" +
                        d.reasoning + "|finish=" + d.finish_reason.value_or("<none>") +
                        "|error=" + d.error.value_or("<none>") + "|url=" +
                        d.run_url.value_or("<none>") + "|usage=";
        if (d.usage)
            s += std::to_string(d.usage->prompt_tokens) + "," +
                 std::to_string(d.usage->completion_tokens) + "," +
                 std::to_string(d.usage->total_tokens) + "," +
                 (d.usage->cost_usd ? std::to_string(*d.usage->cost_usd) : "-");
        for (auto const& c : d.calls)
            s += "|call " + std::to_string(c.index) + " id=" + c.id + " name=" + c.name +
                 " args=" + c.arguments;
        s += "|kept=" + std::to_string(d.kept.size());
        return s;
    }
    catch (instructor::error const& e) {
        return "error " + std::string(instructor::to_string(e.code_enum())) + ": " + e.what();
    }
}

}  // namespace test
