// The typed side of a call, erased: where the answer's text goes and how it is judged. The
// templates in client.hpp and stream.hpp implement it; the untyped call core drives it.
#pragma once

#include <instructor/decode_options.hpp>
#include <instructor/repair.hpp>
#include <instructor/validation.hpp>

#include <cstddef>
#include <string_view>
#include <vector>

namespace instructor::detail {

struct answer_target {
    /// How answers are decoded: the client's options with the request's context (set by the
    /// call before the first attempt).
    decode_options options;
    /// What was repaired to get the accepted answer (set by finish()).
    std::vector<json_repair> repairs;

    virtual ~answer_target() = default;
    /// A new attempt starts: drop what earlier attempts decoded.
    virtual void begin_attempt(int attempt) = 0;
    /// Answer text: the tool call's index (in call order) and name, or 0 and "" for content.
    /// A streamed answer comes in pieces; a whole reply's answers come once each.
    virtual void feed(std::size_t call, std::string_view name, std::string_view text) = 0;
    /// Something is ready to hand out (streams).
    virtual bool ready() const { return false; }
    /// The answer is complete: final checks; false with issues when it is not valid.
    virtual bool finish(std::vector<validation_issue>& issues) = 0;
    /// Whether a failed attempt may be asked again (nothing handed out would be repeated).
    virtual bool may_reask() const { return true; }
};

}  // namespace instructor::detail
