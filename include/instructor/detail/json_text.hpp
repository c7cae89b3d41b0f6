// Small JSON text helpers shared by the encoder and the error messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace instructor::detail {

/// Appends `s` as a quoted JSON string (escaping quotes, backslashes and control characters).
void append_json_string(std::string& out, std::string_view s);
/// The same without the quotes: one piece of a string written in pieces (escaping is per byte).
void append_json_escaped(std::string& out, std::string_view s);
void append_number(std::string& out, std::int64_t v);
void append_number(std::string& out, std::uint64_t v);
/// Shortest text that reads back as `v`; non-finite values become `null` (JSON has no NaN).
void append_number(std::string& out, double v);

/// A value as shown in an issue: strings quoted and cut to a readable length.
std::string display_string(std::string_view s, std::size_t full_length);
std::string display_number(double v);

}  // namespace instructor::detail
