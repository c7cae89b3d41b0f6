// How lenient the decoder is.
#pragma once

#include <boost/json/fwd.hpp>

#include <cstddef>

namespace instructor {

/// Decoder settings. The defaults are lax like Pydantic: integral floats (25.0) and numeric
/// strings ("25") become numbers, "true"/"false" strings become booleans, unknown keys are
/// ignored, and replies that are almost JSON are repaired. `strict_decoding` turns all of that
/// off.
struct decode_options {
    bool coerce = true;             ///< lax scalar conversions as above
    bool allow_extra = true;        ///< ignore unknown keys (else each is an issue)
    std::size_t max_depth = 64;     ///< deeper nesting is a syntax error, never a stack overflow
    std::size_t max_issues = 100;   ///< issues past this are counted in one last line
    /// Replies that are almost JSON (prose or a code fence around the value, trailing commas,
    /// comments, single quotes, unquoted keys, Python literals, raw newlines in strings) are
    /// repaired before they are judged: models often answer like that, and a re-ask costs a
    /// call. Tried only after the text failed as it is; see `repair.hpp`.
    bool repair = true;
    /// What every model's validate() sees as `ctx.context()` (null: an empty object); calls set
    /// it to the request's context.
    boost::json::object const* context = nullptr;
};

inline constexpr decode_options strict_decoding{
    .coerce = false, .allow_extra = false, .repair = false};

}  // namespace instructor
