#include <instructor/detail/json_text.hpp>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <cmath>

namespace instructor::detail {

namespace {

/// The length of `s`'s longest prefix of whole eight-byte words with nothing to escape: a word
/// holds a byte below 0x20, a quote or a backslash when (x - 0x01..) & ~x & 0x80.. is not zero
/// (x the word, or it xor that byte repeated).
std::size_t plain_words(std::string_view s) noexcept
{
    constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    auto any_below = [](std::uint64_t x, std::uint64_t n) { return (x - ones * n) & ~x & highs; };
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        if (any_below(w, 0x20) | any_below(w ^ (ones * '"'), 1) | any_below(w ^ (ones * '\\'), 1))
            break;
    }
    return i;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s)
{
    out.push_back('"');
    append_json_escaped(out, s);
    out.push_back('"');
}

void append_json_escaped(std::string& out, std::string_view s)
{
    static constexpr char hex[] = "0123456789abcdef";
    std::size_t run = 0;  // start of the pending run of characters that need no escape
    // Whole words at a time, a byte at a time only in a word that holds one to escape (from
    // the start and after each escape: a text with a quote or a line break early on is not
    // read bytewise to its end).
    for (std::size_t i = plain_words(s); i < s.size();) {
        auto const c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') {
            ++i;
            continue;
        }
        out.append(s.data() + run, i - run);
        run = i + 1;
        i = run + plain_words(s.substr(run));
        out.push_back('\\');
        switch (c) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '\n': out.push_back('n'); break;
        case '\r': out.push_back('r'); break;
        case '\t': out.push_back('t'); break;
        case '\b': out.push_back('b'); break;
        case '\f': out.push_back('f'); break;
        default:
            out.append("u00");
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xf]);
        }
    }
    out.append(s.data() + run, s.size() - run);
}

template <class N>
static void append_chars(std::string& out, N v)
{
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void append_number(std::string& out, std::int64_t v) { append_chars(out, v); }
void append_number(std::string& out, std::uint64_t v) { append_chars(out, v); }

void append_number(std::string& out, double v)
{
    if (!std::isfinite(v)) {
        out.append("null");
        return;
    }
    append_chars(out, v);
}

std::string display_string(std::string_view s, std::size_t full_length)
{
    constexpr std::size_t keep = 60;
    std::string out;
    bool cut = full_length > s.size() || s.size() > keep;
    if (s.size() > keep) {
        s = s.substr(0, keep);
        // do not split a UTF-8 sequence
        while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80)
            s.remove_suffix(1);
        if (!s.empty() && static_cast<unsigned char>(s.back()) >= 0xC0)
            s.remove_suffix(1);
    }
    append_json_string(out, s);
    if (cut)
        out.insert(out.size() - 1, "...");
    return out;
}

std::string display_number(double v)
{
    std::string out;
    if (std::isnan(v))
        out = "NaN";
    else if (std::isinf(v))
        out = v > 0 ? "Infinity" : "-Infinity";
    else
        append_chars(out, v);
    return out;
}

}  // namespace instructor::detail
