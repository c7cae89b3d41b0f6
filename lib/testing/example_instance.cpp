// Deterministic instances of a JSON Schema, filled from the prompt where a simple rule applies.
#include <instructor/testing/example_instance.hpp>

#include <boost/json/array.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

namespace instructor::testing {
namespace {

namespace json = boost::json;

constexpr int max_nesting = 128;               // nested schemas, $ref hops included
constexpr std::uint64_t max_generated = 10000; // items or padding: a schema must not exhaust memory
constexpr std::int64_t i64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();

// ---- characters (ASCII only, independent of the locale) ----

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_upper(c) || is_lower(c) || is_digit(c); }
bool is_high(char c) { return static_cast<unsigned char>(c) >= 0x80; }
// Bytes of UTF-8 sequences count as letters, so "éJohn" holds no word "John".
bool is_word(char c) { return is_alnum(c) || c == '_' || is_high(c); }
char to_lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

bool equal_ci(std::string_view a, std::string_view b)
{
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(),
                      [](char x, char y) { return to_lower(x) == to_lower(y); });
}

std::string lowered(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        c = to_lower(c);
    return out;
}

// ---- what the prompt offers ----

// Position of `word` in `text` as a whole word, case-insensitive; npos when absent.
std::size_t find_word(std::string_view text, std::string_view word)
{
    if (word.empty() || word.size() > text.size())
        return std::string_view::npos;
    for (std::size_t i = 0; i + word.size() <= text.size(); ++i) {
        if (!equal_ci(text.substr(i, word.size()), word))
            continue;
        std::size_t end = i + word.size();
        if ((i == 0 || !is_word(text[i - 1])) && (end == text.size() || !is_word(text[end])))
            return i;
    }
    return std::string_view::npos;
}

// End of the Capitalized word ([A-Z][a-z]+) starting at i, or i when none starts there.
std::size_t capitalized_word_end(std::string_view s, std::size_t i)
{
    if (i >= s.size() || !is_upper(s[i]) || (i > 0 && is_word(s[i - 1])))
        return i;
    std::size_t j = i + 1;
    while (j < s.size() && is_lower(s[j]))
        ++j;
    if (j == i + 1 || (j < s.size() && is_word(s[j])))
        return i;
    return j;
}

// The first run of 2-3 Capitalized words separated by single spaces ("John Doe"); a longer
// run gives its first three.
std::string_view find_person_name(std::string_view s)
{
    for (std::size_t i = 0; i < s.size(); ++i) {
        std::size_t end = capitalized_word_end(s, i);
        if (end == i)
            continue;
        int words = 1;
        std::size_t run_end = end;
        while (words < 3 && run_end + 1 < s.size() && s[run_end] == ' ') {
            std::size_t next = capitalized_word_end(s, run_end + 1);
            if (next == run_end + 1)
                break;
            run_end = next;
            ++words;
        }
        if (words >= 2)
            return s.substr(i, run_end - i);
        i = end - 1;
    }
    return {};
}

bool is_local_char(char c)
{
    return is_alnum(c) || is_high(c) || std::string_view("._%+-").find(c) != std::string_view::npos;
}

bool is_domain_char(char c) { return is_alnum(c) || is_high(c) || c == '.' || c == '-'; }

// The first thing shaped like local@domain.tld.
std::string_view find_email(std::string_view s)
{
    for (std::size_t at = s.find('@'); at != std::string_view::npos; at = s.find('@', at + 1)) {
        std::size_t b = at;
        while (b > 0 && is_local_char(s[b - 1]))
            --b;
        while (b < at && s[b] == '.')
            ++b;
        std::size_t e = at + 1;
        while (e < s.size() && is_domain_char(s[e]))
            ++e;
        // a sentence may end right after the address
        while (e > at + 1 && (s[e - 1] == '.' || s[e - 1] == '-'))
            --e;
        std::string_view domain = s.substr(at + 1, e - at - 1);
        std::size_t dot = domain.find('.');
        if (b < at && dot != std::string_view::npos && dot > 0)
            return s.substr(b, e - b);
    }
    return {};
}

struct prompt_number {
    double value;
    std::optional<std::int64_t> integer;  // written without a fraction, and fits
};

// Numbers written as words of their own: "-5", "32", "0.25"; not the 2 of "v2" or "1e5"'s 5.
std::vector<prompt_number> find_numbers(std::string_view s)
{
    std::vector<prompt_number> out;
    std::size_t i = 0;
    while (i < s.size()) {
        bool sign = s[i] == '-' && i + 1 < s.size() && is_digit(s[i + 1]);
        bool starts = (sign || is_digit(s[i])) &&
                      (i == 0 || !(is_word(s[i - 1]) || s[i - 1] == '.'));
        if (!starts) {
            ++i;
            continue;
        }
        std::size_t j = sign ? i + 1 : i;
        while (j < s.size() && is_digit(s[j]))
            ++j;
        bool fraction = j + 1 < s.size() && s[j] == '.' && is_digit(s[j + 1]);
        if (fraction) {
            j += 1;
            while (j < s.size() && is_digit(s[j]))
                ++j;
        }
        prompt_number n{};
        char const* first = s.data() + i;
        char const* last = s.data() + j;
        if (std::from_chars(first, last, n.value).ec == std::errc{}) {
            std::int64_t v = 0;
            if (!fraction && std::from_chars(first, last, v).ec == std::errc{})
                n.integer = v;
            out.push_back(n);
        }
        i = j;
    }
    return out;
}

// ---- schema keywords ----

bool has_type(json::value const& v, std::string_view type)
{
    auto const* o = v.if_object();
    if (!o)
        return false;
    auto const* t = o->if_contains("type");
    return t && t->is_string() && t->get_string() == type;
}

std::optional<std::uint64_t> count_at(json::object const& s, std::string_view key)
{
    auto const* v = s.if_contains(key);
    if (!v || !v->is_number())
        return std::nullopt;
    if (auto const* u = v->if_uint64())
        return *u;
    if (auto const* i = v->if_int64())
        return *i < 0 ? 0 : static_cast<std::uint64_t>(*i);
    double d = v->get_double();
    if (!(d > 0))
        return 0;
    return d >= 1.8e19 ? std::numeric_limits<std::uint64_t>::max()
                       : static_cast<std::uint64_t>(std::ceil(d));
}

std::optional<double> double_at(json::object const& s, std::string_view key)
{
    auto const* v = s.if_contains(key);
    if (!v || !v->is_number())
        return std::nullopt;
    double d = v->to_number<double>();
    if (std::isnan(d))
        return std::nullopt;
    return d;
}

std::int64_t saturate(double integral)
{
    if (integral <= -9223372036854775808.0)
        return i64_min;
    if (integral >= 9223372036854775808.0)
        return i64_max;
    return static_cast<std::int64_t>(integral);
}

// The greatest integer <= the bound (`up` false) or the least >= it (`up` true), saturated to
// int64; exact for int64 and uint64 bounds, which a double would round.
std::optional<std::int64_t> integer_bound(json::object const& s, std::string_view key, bool up)
{
    auto const* v = s.if_contains(key);
    if (!v)
        return std::nullopt;
    if (auto const* i = v->if_int64())
        return *i;
    if (auto const* u = v->if_uint64())
        return *u > static_cast<std::uint64_t>(i64_max) ? i64_max : static_cast<std::int64_t>(*u);
    if (auto const* d = v->if_double(); d && !std::isnan(*d))
        return saturate(up ? std::ceil(*d) : std::floor(*d));
    return std::nullopt;
}

std::size_t code_points(std::string_view s)
{
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

void fit_length(std::string& s, std::optional<std::uint64_t> min, std::optional<std::uint64_t> max)
{
    if (max) {
        // cut before the lead byte of code point number max + 1
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80)
                continue;
            if (seen++ == *max) {
                s.resize(i);
                break;
            }
        }
    }
    if (min) {
        std::uint64_t want = std::min(*min, max_generated);
        std::size_t have = code_points(s);
        if (have < want)
            s.append(static_cast<std::size_t>(want - have), 'x');
    }
}

bool matches(std::string const& pattern, std::string const& value)
{
    // libstdc++'s matcher recurses per character: long padded values would risk the stack
    if (value.size() > 1000)
        return true;
    try {
        return std::regex_search(value, std::regex(pattern, std::regex::ECMAScript));
    }
    catch (std::regex_error const&) {
        return true;  // a pattern std::regex cannot read cannot be checked either
    }
}

bool is_name_like(std::string_view property)
{
    std::string p = lowered(property);
    return p == "name" || p == "full_name" ||
           (p.size() > 5 && std::string_view(p).substr(p.size() - 5) == "_name");
}

bool is_email_like(std::string_view property)
{
    return lowered(property).find("email") != std::string::npos;
}

// ---- the generator ----

class generator {
public:
    generator(json::object const& root, std::string_view prompt)
        : root_(root),
          prompt_(prompt),
          person_(find_person_name(prompt)),
          email_(find_email(prompt)),
          numbers_(find_numbers(prompt))
    {
        refs_.push_back(&root);
    }

    json::value instance(json::value const& schema, std::string_view name);
    json::value instance(json::object const& schema, std::string_view name);

private:
    json::value enter(json::object const& target, std::string_view name);
    json::value object_instance(json::object const& s, std::string_view name);
    json::value array_instance(json::object const& s, std::string_view name);
    json::value string_instance(json::object const& s, std::string_view name) const;
    json::value integer_instance(json::object const& s) const;
    json::value number_instance(json::object const& s) const;
    json::value enum_instance(json::array const& values) const;
    json::value const* resolve(std::string_view ref) const;

    // Inside a second expansion of some schema: take the smallest choices from here on.
    bool deep() const noexcept { return repeats_ > 0; }

    json::object const& root_;
    std::string_view prompt_;
    std::string_view person_;
    std::string_view email_;
    std::vector<prompt_number> numbers_;
    std::vector<json::object const*> refs_;  // schemas entered through $ref, the root first
    int repeats_ = 0;                         // entries of refs_ that were on it already
    int nesting_ = 0;
};

json::value const* generator::resolve(std::string_view ref) const
{
    if (ref.substr(0, 2) != "#/")
        return nullptr;
    // a JSON pointer into the root: "/$defs/Name", with "~1" for '/' and "~0" for '~'
    json::object const* obj = &root_;
    std::string_view rest = ref.substr(2);
    while (obj) {
        std::size_t slash = rest.find('/');
        std::string_view raw = rest.substr(0, slash);
        std::string token;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1'))
                token += raw[++i] == '0' ? '~' : '/';
            else
                token += raw[i];
        }
        json::value const* cur = obj->if_contains(token);
        if (!cur || slash == std::string_view::npos)
            return cur;
        obj = cur->if_object();
        rest = rest.substr(slash + 1);
    }
    return nullptr;
}

json::value generator::enter(json::object const& target, std::string_view name)
{
    bool repeat = std::find(refs_.begin(), refs_.end(), &target) != refs_.end();
    refs_.push_back(&target);
    repeats_ += repeat ? 1 : 0;
    json::value out = instance(target, name);
    refs_.pop_back();
    repeats_ -= repeat ? 1 : 0;
    return out;
}

json::value generator::instance(json::value const& schema, std::string_view name)
{
    if (auto const* o = schema.if_object())
        return instance(*o, name);
    if (schema.is_bool() && !schema.get_bool())
        return nullptr;  // `false` admits nothing
    return json::object();
}

json::value generator::instance(json::object const& s, std::string_view name)
{
    // Counts the schemas being expanded, $ref hops included, so that a cycle of references
    // or a recursion no instance can end stops too.
    struct nesting_guard {
        int& n;
        ~nesting_guard() { --n; }
    } guard{++nesting_};
    if (nesting_ > max_nesting)
        return nullptr;

    if (auto const* ref = s.if_contains("$ref"); ref && ref->is_string()) {
        std::string_view r = ref->get_string();
        if (r == "#")
            return enter(root_, name);
        json::value const* target = resolve(r);
        if (!target)
            return json::object();
        if (auto const* o = target->if_object())
            return enter(*o, name);
        return instance(*target, name);
    }
    if (auto const* values = s.if_contains("enum"); values && values->is_array())
        return enum_instance(values->get_array());
    if (auto const* any = s.if_contains("anyOf"); any && any->is_array()) {
        json::array const& alts = any->get_array();
        bool has_null = std::any_of(alts.begin(), alts.end(),
                                    [](auto const& a) { return has_type(a, "null"); });
        if (deep() && has_null)
            return nullptr;
        for (auto const& alt : alts)
            if (!has_type(alt, "null"))
                return instance(alt, name);
        return alts.empty() ? json::value(json::object()) : json::value(nullptr);
    }

    std::string_view type;
    if (auto const* t = s.if_contains("type")) {
        if (t->is_string()) {
            type = t->get_string();
        }
        else if (t->is_array()) {
            // ["string", "null"]: null only when deep, as for anyOf
            bool nullable = false;
            for (auto const& e : t->get_array()) {
                if (!e.is_string())
                    continue;
                if (e.get_string() == "null")
                    nullable = true;
                else if (type.empty())
                    type = e.get_string();
            }
            if (type.empty() || (nullable && deep()))
                type = "null";
        }
    }
    else if (s.contains("properties") || s.contains("additionalProperties")) {
        type = "object";
    }
    else if (s.contains("items")) {
        type = "array";
    }

    if (type == "object")
        return object_instance(s, name);
    if (type == "array")
        return array_instance(s, name);
    if (type == "string")
        return string_instance(s, name);
    if (type == "integer")
        return integer_instance(s);
    if (type == "number")
        return number_instance(s);
    if (type == "boolean")
        return true;
    if (type == "null")
        return nullptr;
    return json::object();  // {} accepts anything
}

json::value generator::object_instance(json::object const& s, std::string_view name)
{
    json::object out;
    json::value const* extra = s.if_contains("additionalProperties");
    if (extra && !extra->is_object())
        extra = nullptr;  // false, true or malformed: add nothing unasked
    auto const* props = s.if_contains("properties");
    if (props && props->is_object()) {
        for (auto const& kv : props->get_object())
            out[kv.key()] = instance(kv.value(), kv.key());
    }
    else if (extra && !deep()) {
        // a map: one entry shows the value's shape
        out["key"] = instance(*extra, name);
    }
    // required names that no property describes come from additionalProperties, or anything
    if (auto const* req = s.if_contains("required"); req && req->is_array()) {
        for (auto const& r : req->get_array()) {
            if (r.is_string() && !out.contains(r.get_string()))
                out[r.get_string()] = extra ? instance(*extra, r.get_string())
                                            : json::value(json::object());
        }
    }
    return out;
}

json::value generator::array_instance(json::object const& s, std::string_view name)
{
    std::uint64_t n = count_at(s, "minItems").value_or(0);
    if (!deep())
        n = std::max<std::uint64_t>(n, 1);
    if (auto max = count_at(s, "maxItems"))
        n = std::min(n, *max);
    n = std::min(n, max_generated);
    json::array out;
    if (n == 0)
        return out;
    auto const* items = s.if_contains("items");
    // every item is the same: generate one and copy it
    json::value item = items ? instance(*items, name) : json::value(json::object());
    out.reserve(static_cast<std::size_t>(n));
    for (std::uint64_t i = 1; i < n; ++i)
        out.push_back(item);
    out.push_back(std::move(item));
    return out;
}

json::value generator::string_instance(json::object const& s, std::string_view name) const
{
    std::vector<std::string> candidates;
    if (is_name_like(name)) {
        if (!person_.empty())
            candidates.emplace_back(person_);
        candidates.emplace_back("Jane Doe");
    }
    else if (is_email_like(name)) {
        if (!email_.empty())
            candidates.emplace_back(email_);
        candidates.emplace_back("jane@example.com");
    }
    candidates.emplace_back("example");
    auto min = count_at(s, "minLength");
    auto max = count_at(s, "maxLength");
    for (auto& c : candidates)
        fit_length(c, min, max);
    if (auto const* p = s.if_contains("pattern"); p && p->is_string()) {
        std::string pattern(p->get_string());
        for (auto const& c : candidates)
            if (matches(pattern, c))
                return json::string(c);
        // patterns are not synthesized: the first candidate stands, invalid
    }
    return json::string(candidates.front());
}

json::value generator::integer_instance(json::object const& s) const
{
    std::int64_t lo = i64_min;
    std::int64_t hi = i64_max;
    if (auto b = integer_bound(s, "minimum", true))
        lo = std::max(lo, *b);
    if (auto b = integer_bound(s, "exclusiveMinimum", false))
        lo = std::max(lo, *b == i64_max ? i64_max : *b + 1);
    if (auto b = integer_bound(s, "maximum", false))
        hi = std::min(hi, *b);
    if (auto b = integer_bound(s, "exclusiveMaximum", true))
        hi = std::min(hi, *b == i64_min ? i64_min : *b - 1);
    for (auto const& n : numbers_)
        if (n.integer && *n.integer >= lo && *n.integer <= hi)
            return *n.integer;
    std::int64_t v = std::max<std::int64_t>(lo, 0);
    return v > hi ? hi : v;
}

json::value generator::number_instance(json::object const& s) const
{
    struct limit {
        double value;
        bool exclusive;
    };
    std::optional<limit> lower;
    std::optional<limit> upper;
    if (auto v = double_at(s, "minimum"))
        lower = limit{*v, false};
    if (auto v = double_at(s, "exclusiveMinimum"); v && (!lower || *v >= lower->value))
        lower = limit{*v, true};
    if (auto v = double_at(s, "maximum"))
        upper = limit{*v, false};
    if (auto v = double_at(s, "exclusiveMaximum"); v && (!upper || *v <= upper->value))
        upper = limit{*v, true};
    auto valid = [&](double x) {
        return (!lower || (lower->exclusive ? x > lower->value : x >= lower->value)) &&
               (!upper || (upper->exclusive ? x < upper->value : x <= upper->value));
    };
    for (auto const& n : numbers_)
        if (valid(n.value))
            return n.value;
    if (valid(0.0))
        return 0.0;
    if (lower) {
        double c = lower->exclusive ? lower->value + 1 : lower->value;
        if (valid(c))
            return c;
        if (upper)
            return lower->value / 2 + upper->value / 2;  // strictly between: both may be open
    }
    if (upper)
        return upper->exclusive ? upper->value - 1 : upper->value;
    return 0.0;
}

json::value generator::enum_instance(json::array const& values) const
{
    // the value the prompt names first; at one position the longer name
    json::value const* best = nullptr;
    std::size_t best_pos = std::string_view::npos;
    for (auto const& v : values) {
        if (!v.is_string())
            continue;
        std::size_t pos = find_word(prompt_, v.get_string());
        if (pos == std::string_view::npos)
            continue;
        if (!best || pos < best_pos ||
            (pos == best_pos && v.get_string().size() > best->get_string().size())) {
            best = &v;
            best_pos = pos;
        }
    }
    if (best)
        return *best;
    return values.empty() ? json::value(nullptr) : values.front();
}

}  // namespace

json::value example_instance(json::object const& schema, std::string_view prompt)
{
    generator g(schema, prompt);
    return g.instance(schema, {});
}

}  // namespace instructor::testing
