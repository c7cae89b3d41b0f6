// What a header field may hold, and its value as sent (private to lib/net).
#pragma once

#include <instructor/error.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace instructor::net::detail {

/// The longest header name or value a request may carry (Beast's fields keep 16-bit offsets).
inline constexpr std::size_t max_field = 65533;

/// Throws ins::error(invalid_argument) for a header no request may carry: a line break (it
/// would start a header of its own), a colon in its name, or a name or value longer than
/// max_field. Only the name of one with a line break is echoed, never a value.
inline void check_field(std::string_view name, std::string_view value)
{
    if (name.size() > max_field || value.size() > max_field)
        throw error(errc::invalid_argument, "a header's name or value exceeds 65533 bytes");
    // A find (one memchr) per byte sought, not find_first_of: libstdc++ runs that as a memchr
    // over the set for every byte of the field (a bearer key's value is ~100 of them).
    constexpr auto npos = std::string_view::npos;
    if (name.find('\r') != npos || name.find('\n') != npos || name.find(':') != npos ||
        value.find('\r') != npos || value.find('\n') != npos)
        throw error(errc::invalid_argument, "header " + std::string(name) + " has a line break");
}

/// `s` without the spaces and tabs around it (RFC 9110's OWS), as a field's value is kept.
inline std::string_view trim_ows(std::string_view s)
{
    auto const ows = [](char c) { return c == ' ' || c == '\t'; };
    while (!s.empty() && ows(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && ows(s.back()))
        s.remove_suffix(1);
    return s;
}

}  // namespace instructor::net::detail
