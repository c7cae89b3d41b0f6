// Repairs of replies that are almost JSON: what was fixed, and where.
#pragma once

#include <instructor/validation.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace instructor {

/// What a repair fixed. Each one is a habit of models asked for JSON; none of them adds data:
/// a reply that is cut off or misses a value or a colon is never repaired, nor one that can be
/// read two ways.
enum class repair_kind {
    surrounding_text,   ///< prose before or after the value was ignored
    code_fence,         ///< the value was inside a ``` or ```json fence
    trailing_comma,     ///< a comma before `}` or `]` was dropped
    comment,            ///< a `//`, `/* */` or `#` comment was dropped
    single_quotes,      ///< a 'single-quoted' string was re-quoted
    unquoted_key,       ///< an identifier key was quoted
    python_literal,     ///< True / False / None became true / false / null
    control_character,  ///< a raw newline, tab or other control character in a string was escaped
    unquoted_value,     ///< a bare value in an object (`high`, `John Doe`) was quoted as a string
    missing_comma,      ///< a comma was put between two members of an object
    stray_closer,       ///< a `}` or `]` after the value, closing nothing, was dropped
};

/// One repair: its kind and the byte offset in the text where it applied (for logs and hooks).
struct json_repair {
    repair_kind kind;
    std::size_t offset;

    friend bool operator==(json_repair const&, json_repair const&) = default;
};

/// The repairs listed for one reply (`decode_result::repairs`, `completion::repairs`): the first
/// ones by offset. A reply may need a fix per byte (a string full of raw tabs); every fix is
/// made, only the list stops here.
inline constexpr std::size_t max_repairs_listed = 64;

/// The kind's name as spelled in the enum ("trailing_comma").
std::string_view to_string(repair_kind kind) noexcept;

/// A line for a log, e.g. "trailing comma dropped at byte 41".
std::string describe(json_repair const& repair);

namespace detail {

/// Decodes one repaired candidate into the caller's type: true when it gave a value (the caller
/// keeps the first), else false with the reasons in `issues`.
using candidate_decode_fn = bool (*)(void* context, std::string_view json,
                                     std::vector<validation_issue>& issues);

/// The repair step of decode<T>, run only after a plain decode of `text` failed. When that
/// failure was a syntax issue, repairs the JSON candidates in the text and decodes each with
/// `decode`. True when exactly one fits: `repairs` says what was fixed. Otherwise `issues` is
/// left as it was, or replaced by the first candidate's issues, or by one saying the reply
/// holds several values that fit. Truncated text is never repaired into a value.
bool decode_repaired(std::string_view text, candidate_decode_fn decode, void* context,
                     std::vector<validation_issue>& issues, std::vector<json_repair>& repairs);

}  // namespace detail

}  // namespace instructor
