// What the commands print of a server's words (ids, statuses, failure texts, answers), made
// safe for where it goes: a terminal never receives control characters (an ESC sequence in a
// failure text could rewrite the screen or the title), and a CSV cell never starts a formula
// in a spreadsheet (OWASP's CSV injection guidance).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tools {

namespace escaping_detail {

inline void append_hex(std::string& out, unsigned char c)
{
    static char const hex[] = "0123456789abcdef";
    out += "\\x";
    out += hex[c >> 4];
    out += hex[c & 0xf];
}

/// The length of the well-formed UTF-8 sequence at `s[i]` (2 to 4), or 0.
inline std::size_t utf8_length(std::string_view s, std::size_t i)
{
    auto const b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    auto const cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xc0) == 0x80; };
    unsigned char const c = b(0);
    if (c >= 0xc2 && c <= 0xdf)
        return cont(1) ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if (!cont(1) || !cont(2) || (c == 0xe0 && b(1) < 0xa0) || (c == 0xed && b(1) > 0x9f))
            return 0;  // overlong, or a surrogate
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (!cont(1) || !cont(2) || !cont(3) || (c == 0xf0 && b(1) < 0x90) ||
            (c == 0xf4 && b(1) > 0x8f))
            return 0;
        return 4;
    }
    return 0;
}

/// `s` with C0 controls, DEL, C1 controls (U+0080..U+009F) and bytes that are not UTF-8 as
/// \xNN (a C1 control as its two bytes); controls listed in `keep` stay as they are.
inline std::string escape_controls(std::string_view s, std::string_view keep)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        auto const c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if ((c < 0x20 || c == 0x7f) && keep.find(static_cast<char>(c)) == std::string_view::npos)
                append_hex(out, c);
            else
                out += static_cast<char>(c);
            ++i;
            continue;
        }
        auto const n = utf8_length(s, i);
        if (n == 0) {  // a lone byte an 8-bit terminal could take as a C1 control (0x9b: CSI)
            append_hex(out, c);
            ++i;
            continue;
        }
        if (n == 2 && c == 0xc2 && static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
            append_hex(out, c);  // U+0080..U+009F: C1 controls
            append_hex(out, static_cast<unsigned char>(s[i + 1]));
        }
        else {
            out.append(s.substr(i, n));
        }
        i += n;
    }
    return out;
}

/// A plain decimal number (what a numeric column holds): never a formula, left as it is.
inline bool plain_number(std::string_view s)
{
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '-' || s[i] == '+'))
        ++i;
    std::size_t digits = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i)
        ++digits;
    if (i < s.size() && s[i] == '.')
        for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i)
            ++digits;
    if (digits > 0 && i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '-' || s[i] == '+'))
            ++i;
        std::size_t exp = 0;
        for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i)
            ++exp;
        if (exp == 0)
            return false;
    }
    return digits > 0 && i == s.size();
}

}  // namespace escaping_detail

/// For a terminal or any plain-text output: every control character escaped (\x1b for ESC,
/// \x0a for a line end, so a server's text cannot fake lines either).
inline std::string terminal_text(std::string_view s)
{
    return escaping_detail::escape_controls(s, {});
}

/// One CSV cell (RFC 4180), safe to open in a spreadsheet: a cell starting with '=', '+', '-',
/// '@', a tab or a carriage return gets a leading single quote (unless it is a plain number),
/// inside quotes; control characters other than tab, CR and LF are escaped as \xNN; quoted when
/// it holds a comma, a quote, a line end or was neutralised.
inline std::string csv_cell(std::string_view s)
{
    using namespace std::string_view_literals;
    auto text = escaping_detail::escape_controls(s, "\t\r\n"sv);
    bool const formula = !text.empty() && "=+-@\t\r"sv.find(text.front()) != std::string_view::npos &&
                         !escaping_detail::plain_number(text);
    if (formula)
        text.insert(text.begin(), '\'');
    if (!formula && text.find_first_of(",\"\r\n") == std::string::npos)
        return text;
    std::string q = "\"";
    for (char ch : text) {
        if (ch == '"')
            q += '"';
        q += ch;
    }
    return q + "\"";
}

}  // namespace tools
