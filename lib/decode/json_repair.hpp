// Lenient JSON to strict JSON: the repairer (whole or streamed) and the candidates in a reply.
#pragma once

#include <instructor/repair.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace instructor::detail {

/// Reads lenient JSON one byte at a time and writes strict JSON in O(n), holding back only the
/// few bytes it cannot decide yet, so streams can be repaired as they arrive. It never looks
/// for the value in prose (repair_candidates() does). Fixes only what `repair_kind` lists;
/// anything else (a missing colon or value, a missing comma in an array, a wrong closer, a bare
/// value that could be read two ways) makes it fail rather than guess. The output is the same
/// however the input is split.
///
/// It knows no schema: a bare value inside an object (`{"priority": high}`, `{name: John Doe}`)
/// becomes the string it spells, and the typed decode that follows decides whether a string
/// belongs there (`{"age": thirty}` then fails as an integer). A bare value runs to `,`, `}`,
/// `]` or the end of the line, trailing blanks trimmed; it fails at a quote, a backslash, a
/// bracket, a colon or a comment (each makes two readings), past max_bare_value bytes, and when
/// it is a word that means something else in some language (`undefined`, `NaN`, `NULL`...).
/// `true`, `false`, `null` and Python's `True`, `False`, `None` keep their meaning; numbers
/// stay numbers. Outside objects (a root array, a root scalar) only those six words are read.
class json_repairer {
public:
    /// The longest bare value (or run of blanks in an unquoted key) held back; longer fails.
    static constexpr std::size_t max_bare_value = 256;

    explicit json_repairer(std::size_t max_depth = 64) : max_depth_(max_depth) {}

    /// The strict text for `piece`. A few bytes may be held back until they are decided (a
    /// comma that may be trailing and the whitespace after it, a bare word that may be `True`,
    /// a bare value until it ends, blanks in an unquoted key).
    /// Input after the root value closes is not consumed (see consumed()).
    std::string feed(std::string_view piece);
    /// Ends the input: a root number or bare word ends here. Anything else still open (and
    /// held back) belongs to a value that was cut off: done() stays false.
    std::string finish();

    /// True once the root value is complete.
    bool done() const noexcept { return state_ == state::done; }
    /// True once the input is known not to be repairable JSON; later input is ignored.
    bool failed() const noexcept { return state_ == state::failed; }
    /// Bytes read so far that belong to the value (where it ends, once done()).
    std::size_t consumed() const noexcept { return pos_; }
    /// What was fixed (the first max_repairs_listed); offsets count from the first byte fed.
    std::vector<json_repair> const& repairs() const noexcept { return repairs_; }

private:
    enum class state : std::uint8_t {
        value,           // a value is expected
        key,             // a key (or `}`) is expected
        colon,           // `:` after a key
        after_value,     // `,` or a closer
        string,          // in a string (quote_ says which kind)
        string_escape,   // after a backslash in a string
        string_unicode,  // in the hex digits of \uXXXX
        number,
        word,            // a bare word in value position: true, True, null, ...
        bare_value,      // a bare value in an object, past its first word: John Doe
        bare_key,        // an unquoted key (words and the blanks between them)
        slash,           // a `/` that must start a comment
        line_comment,
        block_comment,
        block_comment_star,
        done,
        failed,
    };

    bool plain_in_string(char c) const noexcept
    {
        return c != quote_ && c != '\\' && c != '"' && static_cast<unsigned char>(c) >= 0x20;
    }
    bool step(char c, std::string& out);
    bool structural(char c, std::string& out);
    bool in_string(char c, std::string& out);
    bool open_container(char c, std::string& out);
    bool close_container(char c, std::string& out);
    bool end_word(std::string& out);
    bool end_bare_value(std::string& out);
    bool bare_values_allowed() const noexcept { return stack_.find('{') != std::string::npos; }
    void end_value();
    void flush_pending(std::string& out);
    void note(repair_kind kind, std::size_t offset)
    {
        if (repairs_.size() < max_repairs_listed)
            repairs_.push_back({kind, offset});
    }
    bool fail()
    {
        state_ = state::failed;
        return false;
    }

    std::size_t max_depth_;
    std::size_t pos_ = 0;                 // bytes consumed
    state state_ = state::value;
    state resume_ = state::value;         // where a comment returns to
    char quote_ = '"';                    // the open string's quote
    bool key_ = false;                    // the open string is a key
    bool just_opened_ = false;            // no member or element yet in the innermost container
    std::uint8_t hex_left_ = 0;           // digits still due in \uXXXX
    char last_ = 0;                       // the byte before this one
    std::size_t token_at_ = 0;            // offset of the pending comma or word
    std::string pending_;                 // held: a comma and the whitespace after it
    std::string word_;                    // held: a bare word or value (max_bare_value)
    std::string key_blanks_;              // held: blanks after a word of an unquoted key
    std::string stack_;                   // open containers, `{` or `[`
    std::vector<json_repair> repairs_;
};

/// Where the bracketed value that starts `text` ends, counting brackets outside strings
/// (double-quoted, and single-quoted where a key or value starts, as the repairer takes them;
/// the whole text when it never closes): how far a value reaches in prose, whether or not it
/// parses. Nothing inside it is a candidate.
std::size_t bracket_extent(std::string_view text);

/// A repaired value found in a reply: strict JSON, and what was fixed to get it.
struct repair_candidate {
    std::string json;
    std::vector<json_repair> repairs;  // offsets in the reply, in order; max_repairs_listed
};

struct repair_outcome {
    std::vector<repair_candidate> candidates;  // in text order, no two the same JSON value
    bool truncated = false;                    // an opened value never closed
};

/// The JSON values in free text, repaired: each fenced block's value and each top-level
/// `{...}` or `[...]` in prose, kept when the repair is strict JSON. Closers after the text's
/// first value that close nothing and end the text (or its fence) are dropped
/// (`stray_closer`); followed by more, they make the value a fragment. A value cut off by the
/// end of the text sets `truncated` and gives no candidate. O(n) per candidate.
repair_outcome repair_candidates(std::string_view text, std::size_t max_candidates = 8);

}  // namespace instructor::detail
