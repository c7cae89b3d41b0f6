// Repairing replies that are almost JSON: the byte-at-a-time repairer, the candidates in a
// reply, and the verdict decode<T> draws from them.
#include "json_repair.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <iterator>
#include <utility>

namespace instructor {

std::string_view to_string(repair_kind kind) noexcept
{
    switch (kind) {
    case repair_kind::surrounding_text: return "surrounding_text";
    case repair_kind::code_fence: return "code_fence";
    case repair_kind::trailing_comma: return "trailing_comma";
    case repair_kind::comment: return "comment";
    case repair_kind::single_quotes: return "single_quotes";
    case repair_kind::unquoted_key: return "unquoted_key";
    case repair_kind::python_literal: return "python_literal";
    case repair_kind::control_character: return "control_character";
    case repair_kind::unquoted_value: return "unquoted_value";
    case repair_kind::missing_comma: return "missing_comma";
    case repair_kind::stray_closer: return "stray_closer";
    }
    return "unknown";
}

std::string describe(json_repair const& repair)
{
    std::string_view what = "unknown repair";
    switch (repair.kind) {
    case repair_kind::surrounding_text: what = "text around the JSON value ignored"; break;
    case repair_kind::code_fence: what = "code fence removed"; break;
    case repair_kind::trailing_comma: what = "trailing comma dropped"; break;
    case repair_kind::comment: what = "comment dropped"; break;
    case repair_kind::single_quotes: what = "single-quoted string re-quoted"; break;
    case repair_kind::unquoted_key: what = "unquoted key quoted"; break;
    case repair_kind::python_literal: what = "Python literal made JSON"; break;
    case repair_kind::control_character: what = "raw control character escaped"; break;
    case repair_kind::unquoted_value: what = "unquoted value quoted as a string"; break;
    case repair_kind::missing_comma: what = "missing comma between members added"; break;
    case repair_kind::stray_closer: what = "stray closing bracket after the value dropped"; break;
    }
    return std::string(what) + " at byte " + std::to_string(repair.offset);
}

}  // namespace instructor

namespace instructor::detail {

namespace {

constexpr auto npos = std::string_view::npos;
constexpr std::string_view blanks = " \t\r\n";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_word_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}
bool is_word_char(char c) { return is_word_start(c) || is_digit(c) || c == '-'; }
// Where a bare value ends: the next member or element, the closer, the end of the line.
bool ends_bare_value(char c)
{
    return c == ',' || c == '}' || c == ']' || c == '\n' || c == '\r';
}
// The words that keep their meaning in value position, and what they mean in JSON.
constexpr std::pair<std::string_view, std::string_view> literals[] = {
    {"true", "true"}, {"false", "false"}, {"null", "null"},
    {"True", "true"}, {"False", "false"}, {"None", "null"}};
bool is_literal(std::string_view word)
{
    return std::any_of(std::begin(literals), std::end(literals),
                       [&](auto const& l) { return l.first == word; });
}
// Bare words that mean a value other than their spelling somewhere (JavaScript, Python, YAML,
// SQL), or that lax decoding would read as one (`yes` as true, `nan(1)` as a number): as a bare
// value they are refused, in any case, rather than read as a string.
bool means_something_else(std::string_view word)
{
    static constexpr std::string_view words[] = {
        "null", "none", "nil", "undefined", "nan", "infinity", "inf", "true", "false",
        "yes",  "no",   "on",  "off"};
    auto const iequal = [](std::string_view lower, std::string_view any) {
        return lower.size() == any.size() &&
               std::equal(lower.begin(), lower.end(), any.begin(), [](char a, char b) {
                   return a == (b >= 'A' && b <= 'Z' ? char(b - 'A' + 'a') : b);
               });
    };
    return iequal("nan(", word.substr(0, 4)) ||
           std::any_of(std::begin(words), std::end(words),
                       [&](std::string_view w) { return iequal(w, word); });
}
// Numbers are copied as they come; the strict parse that follows checks their grammar.
bool is_number_char(char c)
{
    return is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

void append_escaped_control(std::string& out, unsigned char c)
{
    static constexpr char hex[] = "0123456789abcdef";
    switch (c) {
    case '\n': out.append("\\n"); break;
    case '\r': out.append("\\r"); break;
    case '\t': out.append("\\t"); break;
    default:
        out.append("\\u00");
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 0xf]);
    }
}

}  // namespace

// ---- json_repairer -----------------------------------------------------------------------------

std::string json_repairer::feed(std::string_view piece)
{
    std::string out;
    for (std::size_t i = 0; i < piece.size(); ++i) {
        if (state_ == state::string) {  // most of a reply: copy a run of plain bytes at once
            auto const from = i;
            while (i < piece.size() && plain_in_string(piece[i]))
                ++i;
            out.append(piece.data() + from, i - from);
            pos_ += i - from;
            if (i != from)
                last_ = piece[i - 1];
            if (i == piece.size())
                break;
        }
        if (state_ == state::done || state_ == state::failed || !step(piece[i], out))
            break;
        ++pos_;
        last_ = piece[i];
    }
    return out;
}

std::string json_repairer::finish()
{
    // Only a root scalar ends with the input; anything else still open was cut off.
    std::string out;
    if (stack_.empty() && state_ == state::number)
        end_value();
    else if (stack_.empty() && state_ == state::word)
        end_word(out);
    return out;
}

// One byte; false when it is not part of the value (after the root closed, or on failure).
bool json_repairer::step(char c, std::string& out)
{
    switch (state_) {
    case state::string:
    case state::string_escape:
    case state::string_unicode:
        return in_string(c, out);
    case state::number:
        if (is_number_char(c)) {
            out.push_back(c);
            return true;
        }
        end_value();
        return state_ != state::done && step(c, out);
    case state::word:
        if (is_word_char(c)) {
            // Outside objects, longer than any word known; inside, than a bare value may be.
            if (word_.size() == (bare_values_allowed() ? max_bare_value : 5))
                return fail();
            word_.push_back(c);
            return true;
        }
        if (!bare_values_allowed() || is_literal(word_))
            return end_word(out) && state_ != state::done && step(c, out);
        if (ends_bare_value(c))
            return end_bare_value(out) && step(c, out);
        state_ = state::bare_value;
        return step(c, out);
    case state::bare_value:
        if (ends_bare_value(c))
            return end_bare_value(out) && step(c, out);
        // Each of these makes two readings (a value holding it, or a string, a key, a comment
        // or a nested value starting there): refused, not guessed.
        if (c == '"' || c == '\\' || c == '{' || c == '[' || c == ':' || c == '#' ||
            ((c == '/' || c == '*') && word_.back() == '/') ||
            (static_cast<unsigned char>(c) < 0x20 && c != '\t') || word_.size() == max_bare_value)
            return fail();
        word_.push_back(c);
        return true;
    case state::bare_key:
        if (is_word_char(c)) {
            out.append(key_blanks_);  // blanks between words belong to the key
            key_blanks_.clear();
            out.push_back(c);
            return true;
        }
        if (c == ' ') {
            if (key_blanks_.size() == max_bare_value)
                return fail();
            key_blanks_.push_back(c);
            return true;
        }
        out.push_back('"');
        out.append(key_blanks_);  // blanks after the key's last word are not part of it
        key_blanks_.clear();
        state_ = state::colon;
        return step(c, out);
    case state::slash:
        if (c != '/' && c != '*')
            return fail();
        note(repair_kind::comment, pos_ - 1);
        state_ = c == '/' ? state::line_comment : state::block_comment;
        return true;
    case state::line_comment:
        if (c != '\n')
            return true;
        state_ = resume_;
        return step(c, out);  // the newline is whitespace where the comment began
    case state::block_comment:
        if (c == '*')
            state_ = state::block_comment_star;
        return true;
    case state::block_comment_star:
        state_ = c == '/' ? resume_ : c == '*' ? state::block_comment_star : state::block_comment;
        return true;
    case state::done:
    case state::failed:
        return false;
    default:
        return structural(c, out);
    }
}

// Between tokens: where a value, a key, a colon or a comma or closer is due.
bool json_repairer::structural(char c, std::string& out)
{
    if (is_space(c)) {
        (pending_.empty() ? out : pending_).push_back(c);
        return true;
    }
    if (c == '/') {
        resume_ = state_;
        state_ = state::slash;
        return true;
    }
    // A shell or Python comment, to the end of the line, where one starts: after a blank. Right
    // after a bracket or a value (`[#12]`, `1#`) it is prose, and would swallow the line.
    if (c == '#' && is_space(last_)) {
        note(repair_kind::comment, pos_);
        resume_ = state_;
        state_ = state::line_comment;
        return true;
    }
    switch (state_) {
    case state::value:
        if (c == ']' && !stack_.empty() && stack_.back() == '[' &&
            (just_opened_ || !pending_.empty()))
            return close_container(c, out);
        flush_pending(out);
        if (c == '{' || c == '[')
            return open_container(c, out);
        if (c == '"' || c == '\'') {
            if (c == '\'')
                note(repair_kind::single_quotes, pos_);
            out.push_back('"');
            quote_ = c;
            key_ = false;
            state_ = state::string;
            return true;
        }
        if (c == '-' || is_digit(c)) {
            out.push_back(c);
            state_ = state::number;
            return true;
        }
        if (is_word_start(c)) {
            word_.assign(1, c);
            token_at_ = pos_;
            state_ = state::word;
            return true;
        }
        return fail();
    case state::key:
        if (c == '}' && (just_opened_ || !pending_.empty()))
            return close_container(c, out);
        flush_pending(out);
        if (c == '"' || c == '\'') {
            if (c == '\'')
                note(repair_kind::single_quotes, pos_);
            out.push_back('"');
            quote_ = c;
            key_ = true;
            state_ = state::string;
            return true;
        }
        if (is_word_start(c)) {
            note(repair_kind::unquoted_key, pos_);
            out.push_back('"');
            out.push_back(c);
            state_ = state::bare_key;
            return true;
        }
        return fail();
    case state::colon:
        if (c != ':')
            return fail();
        out.push_back(c);
        state_ = state::value;
        return true;
    case state::after_value:
        if (c == ',') {
            // Held until the next token says whether it is trailing.
            pending_.assign(1, c);
            token_at_ = pos_;
            state_ = stack_.back() == '{' ? state::key : state::value;
            return true;
        }
        if (c == '}' || c == ']')
            return close_container(c, out);
        // The next member's key after a member's value: the comma between them was left out.
        // (Between elements of an array two values could also be one: "a" "b" is "ab" in
        // Python, so there it stays a failure.)
        if (stack_.back() == '{' && (c == '"' || c == '\'' || is_word_start(c))) {
            note(repair_kind::missing_comma, pos_);
            out.push_back(',');
            state_ = state::key;
            return structural(c, out);
        }
        return fail();
    default:
        return fail();
    }
}

bool json_repairer::in_string(char c, std::string& out)
{
    switch (state_) {
    case state::string:
        if (c == quote_) {
            out.push_back('"');
            if (key_)
                state_ = state::colon;
            else
                end_value();
        }
        else if (c == '\\') {
            if (quote_ == '"')  // in a single-quoted string it waits: \' loses it
                out.push_back(c);
            state_ = state::string_escape;
        }
        else if (c == '"') {  // only in a single-quoted string
            out.append("\\\"");
        }
        else if (static_cast<unsigned char>(c) < 0x20) {
            note(repair_kind::control_character, pos_);
            append_escaped_control(out, static_cast<unsigned char>(c));
        }
        else {
            out.push_back(c);
        }
        return true;
    case state::string_escape:
        state_ = state::string;
        if (quote_ == '\'') {
            if (c == '\'') {
                out.push_back(c);
                return true;
            }
            out.push_back('\\');
        }
        switch (c) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            out.push_back(c);
            return true;
        case 'u':
            out.push_back(c);
            hex_left_ = 4;
            state_ = state::string_unicode;
            return true;
        default:
            return fail();
        }
    default:  // string_unicode
        if (!is_hex(c))
            return fail();
        out.push_back(c);
        if (--hex_left_ == 0)
            state_ = state::string;
        return true;
    }
}

bool json_repairer::open_container(char c, std::string& out)
{
    if (stack_.size() >= max_depth_)
        return fail();
    stack_.push_back(c);
    out.push_back(c);
    just_opened_ = true;
    state_ = c == '{' ? state::key : state::value;
    return true;
}

bool json_repairer::close_container(char c, std::string& out)
{
    if (stack_.empty() || stack_.back() != (c == '}' ? '{' : '['))
        return fail();
    if (!pending_.empty()) {
        note(repair_kind::trailing_comma, token_at_);
        out.append(pending_, 1);  // the whitespace after the comma stays
        pending_.clear();
    }
    stack_.pop_back();
    out.push_back(c);
    end_value();
    return true;
}

bool json_repairer::end_word(std::string& out)
{
    for (auto const& [word, json] : literals) {
        if (word_ != word)
            continue;
        if (word != json)
            note(repair_kind::python_literal, token_at_);
        out.append(json);
        word_.clear();
        end_value();
        return true;
    }
    return fail();
}

bool json_repairer::end_bare_value(std::string& out)
{
    word_.erase(word_.find_last_not_of(" \t") + 1);  // it starts with a letter: never all blank
    if (is_literal(word_))
        return end_word(out);
    if (means_something_else(word_))
        return fail();
    note(repair_kind::unquoted_value, token_at_);
    out.push_back('"');
    for (char c : word_) {
        if (c == '\t')
            out.append("\\t");
        else
            out.push_back(c);
    }
    out.push_back('"');
    word_.clear();
    end_value();
    return true;
}

void json_repairer::end_value()
{
    just_opened_ = false;
    state_ = stack_.empty() ? state::done : state::after_value;
}

void json_repairer::flush_pending(std::string& out)
{
    out.append(pending_);
    pending_.clear();
}

// ---- candidates in a reply ---------------------------------------------------------------------

std::size_t bracket_extent(std::string_view text)
{
    std::size_t depth = 0;
    char quote = 0;     // the open string's quote
    char last = 0;      // the last byte outside strings and blanks
    bool escaped = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char const c = text[i];
        if (quote != 0) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == quote) {
                quote = 0;
                last = c;
            }
            continue;
        }
        // A single quote opens a string where the repairer takes one (a key or a value), not
        // in a word ("it's").
        if (c == '"' || (c == '\'' && (last == '{' || last == '[' || last == ',' || last == ':')))
            quote = c;
        else if (c == '{' || c == '[')
            ++depth;
        else if ((c == '}' || c == ']') && --depth == 0)
            return i + 1;
        if (!is_space(c))
            last = c;
    }
    return text.size();
}

namespace {

/// True when the text after a value goes on like the inside of a bigger one (`, "key": ...`,
/// `, key: ...`, a stray closer): the value is a fragment of something broken, not an answer.
bool continues_a_value(std::string_view after)
{
    auto i = after.find_first_not_of(blanks);
    if (i == npos)
        return false;
    if (after[i] == '}' || after[i] == ']' || after[i] == ':')
        return true;
    if (after[i] != ',')
        return false;
    auto next = after.find_first_not_of(blanks, i + 1);
    if (next == npos)
        return false;
    if (after[next] == '"' || after[next] == '\'')
        return true;
    if (!is_word_start(after[next]))  // `, ident:` is the next member too
        return false;
    while (next < after.size() && is_word_char(after[next]))
        ++next;
    next = after.find_first_not_of(blanks, next);
    return next != npos && after[next] == ':';
}

/// Where a run of closers after a value ends, when they close nothing: the value is the first
/// bracket in the text, and after the closers (and blanks) comes the end of the text or of its
/// fence. Else npos (a closer followed by more is the rest of something broken).
std::size_t stray_closers_end(std::string_view text, std::size_t at, std::size_t end,
                              bool fenced)
{
    auto first = text.find_first_not_of(blanks, end);
    if (first == npos || (text[first] != '}' && text[first] != ']') ||
        text.find_first_of("{[") != at)
        return npos;
    auto const stop = text.find_first_not_of(" \t\r\n}]", first);
    if (stop == npos || (fenced && text.compare(stop, 3, "```") == 0))
        return stop == npos ? text.size() : stop;
    return npos;
}

/// The ``` fence the search is in: where it opened and where its body (after the language
/// tag) starts.
struct fence {
    std::size_t open = npos;
    std::size_t body = 0;
};

/// The first byte of prose outside the value at [begin, end) and its fence, or npos.
std::size_t prose_outside(std::string_view text, std::size_t begin, std::size_t end, fence f)
{
    std::size_t found = npos;
    auto consider = [&](std::size_t from, std::size_t to) {
        if (found == npos && from < to)
            found = text.substr(0, to).find_first_not_of(blanks, from);
    };
    if (f.open == npos) {
        consider(0, begin);
        consider(end, text.size());
        return found;
    }
    auto close = text.find("```", end);
    consider(0, f.open);
    consider(f.body, begin);
    consider(end, std::min(close, text.size()));
    if (close != npos)
        consider(close + 3, text.size());
    return found;
}

}  // namespace

repair_outcome repair_candidates(std::string_view text, std::size_t max_candidates)
{
    constexpr std::size_t max_depth = 64;
    boost::json::parse_options strict;
    strict.max_depth = max_depth;

    repair_outcome outcome;
    std::vector<boost::json::value> seen;  // the candidates' values, to drop repeats
    fence f;
    std::size_t pos = 0;
    while (outcome.candidates.size() < max_candidates) {
        auto const at = text.find_first_of("`{[", pos);
        if (at == npos)
            break;
        if (text[at] == '`') {
            pos = at + 1;
            if (text.compare(at, 3, "```") != 0)
                continue;
            pos = at + 3;
            if (f.open != npos) {  // a closing fence
                f = {};
                continue;
            }
            f.open = at;
            while (pos < text.size() && is_word_char(text[pos]))  // the language tag
                ++pos;
            f.body = pos;
            continue;
        }

        json_repairer r(max_depth);
        auto json = r.feed(text.substr(at));
        json += r.finish();
        if (r.failed()) {
            pos = at + std::max(r.consumed(), bracket_extent(text.substr(at)));
            continue;
        }
        if (!r.done()) {
            outcome.truncated = true;
            break;
        }
        auto end = at + r.consumed();
        auto const value_end = end;
        auto const strays = stray_closers_end(text, at, end, f.open != npos);
        if (strays != npos)
            end = strays;  // the closers are neither prose nor the start of another value
        pos = end;
        if (strays == npos && continues_a_value(text.substr(end)))
            continue;
        boost::system::error_code ec;
        auto value = boost::json::parse(json, ec, {}, strict);
        if (ec || std::find(seen.begin(), seen.end(), value) != seen.end())
            continue;
        seen.push_back(std::move(value));

        repair_candidate c{std::move(json), {}};
        if (f.open != npos)
            c.repairs.push_back({repair_kind::code_fence, f.open});
        if (auto prose = prose_outside(text, at, end, f); prose != npos)
            c.repairs.push_back({repair_kind::surrounding_text, prose});
        if (strays != npos)
            c.repairs.push_back(
                {repair_kind::stray_closer, text.find_first_not_of(blanks, value_end)});
        for (auto const& fix : r.repairs())
            c.repairs.push_back({fix.kind, at + fix.offset});
        std::stable_sort(c.repairs.begin(), c.repairs.end(),
                         [](auto const& a, auto const& b) { return a.offset < b.offset; });
        if (c.repairs.size() > max_repairs_listed)  // the fence and the prose are 2 more
            c.repairs.resize(max_repairs_listed);
        outcome.candidates.push_back(std::move(c));
    }
    return outcome;
}

// ---- decode<T>'s verdict -----------------------------------------------------------------------

bool decode_repaired(std::string_view text, candidate_decode_fn decode, void* context,
                     std::vector<validation_issue>& issues, std::vector<json_repair>& repairs)
{
    // Only text that is not JSON is repaired: a value of the wrong shape stays as it was judged.
    if (std::none_of(issues.begin(), issues.end(),
                     [](auto const& i) { return i.kind == issue_kind::syntax; }))
        return false;
    auto outcome = repair_candidates(text);
    if (outcome.truncated || outcome.candidates.empty())
        return false;  // a cut-off reply is re-asked, never completed by guesswork

    std::size_t fits = 0, chosen = 0;
    std::vector<validation_issue> first_issues, candidate_issues;
    for (std::size_t i = 0; i < outcome.candidates.size(); ++i) {
        candidate_issues.clear();
        if (decode(context, outcome.candidates[i].json, candidate_issues)) {
            if (fits++ == 0)
                chosen = i;
        }
        else if (i == 0) {
            first_issues = std::move(candidate_issues);
        }
    }
    if (fits == 1) {
        issues.clear();
        repairs = std::move(outcome.candidates[chosen].repairs);
        return true;
    }
    if (fits > 1) {
        // Picking one would be a guess: the model is asked to choose.
        issues.assign({{{},
                        "The reply holds " + std::to_string(fits) +
                            " different JSON values that fit the schema; answer with exactly one",
                        issue_kind::syntax}});
    }
    else if (!first_issues.empty()) {
        issues = std::move(first_issues);  // what is wrong with the value the reply gave
    }
    return false;
}

}  // namespace instructor::detail
