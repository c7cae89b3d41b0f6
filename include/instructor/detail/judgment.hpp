// The one judgment of an answer: whole text in, a value or the issues to re-ask with out. A
// call, a stream at its end and a batch line all come here, so one reply has one meaning.
#pragma once

#include <instructor/decode.hpp>
#include <instructor/model_name.hpp>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace instructor::detail {

/// `text` (a whole answer) decoded through `sink` into `out`; false with `issues` when it is
/// not valid. `repairs` says what was fixed to get the value.
template <class T>
bool judge_answer(sink_ref sink, std::string_view text, decode_options const& opts, T& out,
                  std::vector<validation_issue>& issues, std::vector<json_repair>& repairs)
{
    auto r = decode_with<T>(sink, text, opts);
    if (!r) {
        issues = std::move(r.issues);
        return false;
    }
    out = std::move(*r.value);
    repairs = std::move(r.repairs);
    return true;
}

/// A tool call `tool(text)` of the parallel modes, decoded into the alternative it names;
/// issues (appended) for an unknown function or invalid arguments.
template <class... A>
bool judge_call(std::string_view tool, std::string_view text, decode_options const& opts,
                std::variant<A...>& out, std::vector<validation_issue>& issues,
                std::vector<json_repair>& repairs)
{
    bool known = false, ok = false;
    (
        [&] {
            if (known || tool != model_name<A>())
                return;
            known = true;
            auto r = decode<A>(text, opts);
            if (r) {
                out.template emplace<A>(std::move(*r.value));
                repairs.insert(repairs.end(), r.repairs.begin(), r.repairs.end());
                ok = true;
            }
            else {
                for (auto& i : r.issues)
                    issues.push_back(std::move(i));
            }
        }(),
        ...);
    if (!known)
        issues.push_back({{}, "Unknown function '" + std::string(tool) + "'", issue_kind::type});
    return ok;
}

}  // namespace instructor::detail
