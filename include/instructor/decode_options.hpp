// How lenient the decoder is.
#pragma once

#include <cstddef>

namespace instructor {

/// Decoder settings. The defaults are lax like Pydantic: integral floats (25.0) and numeric
/// strings ("25") become numbers, "true"/"false" strings become booleans, unknown keys are
/// ignored. `strict_decoding` turns all of that off.
struct decode_options {
    bool coerce = true;             ///< lax scalar conversions as above
    bool allow_extra = true;        ///< ignore unknown keys (else each is an issue)
    std::size_t max_depth = 64;     ///< deeper nesting is a syntax error, never a stack overflow
    std::size_t max_issues = 100;   ///< issues past this are counted in one last line
};

inline constexpr decode_options strict_decoding{.coerce = false, .allow_extra = false};

}  // namespace instructor
