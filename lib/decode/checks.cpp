#include "checks.hpp"

#include <instructor/detail/json_text.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <regex>

namespace instructor::detail {
namespace {

// Patterns come from model definitions, so the set is small and fixed: compile each once.
std::shared_ptr<std::regex const> compiled(std::string_view pattern)
{
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<std::regex const>, std::less<>> cache;
    std::lock_guard lock(mutex);
    auto it = cache.find(pattern);
    if (it != cache.end())
        return it->second;
    std::shared_ptr<std::regex const> re;
    try {
        re = std::make_shared<std::regex const>(std::string(pattern), std::regex::ECMAScript);
    }
    catch (std::regex_error const&) {
        // stays null: reported as an issue, since it is the model's definition that is wrong
    }
    cache.emplace(std::string(pattern), re);
    return re;
}

std::size_t code_points(std::string_view s)
{
    std::size_t n = 0;
    for (unsigned char ch : s)
        n += (ch & 0xC0) != 0x80;
    return n;
}

std::string plural(std::size_t n, char const* word)
{
    std::string s;
    append_number(s, static_cast<std::uint64_t>(n));
    s.append(" ").append(word);
    if (n != 1)
        s.push_back('s');
    return s;
}

// libstdc++'s regex recurses per character; a hostile multi-megabyte string must not be able
// to overflow the stack.
constexpr std::size_t max_pattern_input = 16 * 1024;

}  // namespace

void check_number_bounds(decode_ctx& c, frame const& f, double v, shown found)
{
    auto const* info = f.info;  // set: the inline check_* calls this only then
    auto fail = [&](char const* what, double bound) {
        c.add_issue(f, issue_kind::constraint,
                    std::string("Input should be ") + what + " " + display_number(bound) +
                        ", got " + show(c, found));
    };
    if (info->minimum && v < *info->minimum)
        fail("greater than or equal to", *info->minimum);
    if (info->maximum && v > *info->maximum)
        fail("less than or equal to", *info->maximum);
    if (info->exclusive_minimum && v <= *info->exclusive_minimum)
        fail("greater than", *info->exclusive_minimum);
    if (info->exclusive_maximum && v >= *info->exclusive_maximum)
        fail("less than", *info->exclusive_maximum);
}

void check_string_bounds(decode_ctx& c, frame const& f, std::string const& s)
{
    auto const* info = f.info;  // set: the inline check_* calls this only then
    auto found = [&] { return ", got " + display_string(s, s.size()) + " (string)"; };
    if (info->min_length || info->max_length) {
        std::size_t n = code_points(s);
        if (info->min_length && n < *info->min_length)
            c.add_issue(f, issue_kind::constraint,
                        "String should have at least " + plural(*info->min_length, "character") +
                            found());
        if (info->max_length && n > *info->max_length)
            c.add_issue(f, issue_kind::constraint,
                        "String should have at most " + plural(*info->max_length, "character") +
                            found());
    }
    if (!info->pattern.empty()) {
        std::string p(info->pattern);
        auto re = compiled(info->pattern);
        if (!re)
            c.add_issue(f, issue_kind::constraint,
                        "The model's pattern '" + p + "' is not a valid ECMAScript regex");
        else if (s.size() > max_pattern_input)
            c.add_issue(f, issue_kind::constraint,
                        "String is too long to check against pattern '" + p + "'");
        else if (!std::regex_search(s, *re))
            c.add_issue(f, issue_kind::constraint,
                        "String should match pattern '" + p + "'" + found());
    }
}

void check_items_bounds(decode_ctx& c, frame const& f, std::size_t n)
{
    auto const* info = f.info;  // set: the inline check_* calls this only then
    if (info->min_items && n < *info->min_items)
        c.add_issue(f, issue_kind::constraint,
                    "Array should have at least " + plural(*info->min_items, "item") + ", got " +
                        std::to_string(n));
    if (info->max_items && n > *info->max_items)
        c.add_issue(f, issue_kind::constraint,
                    "Array should have at most " + plural(*info->max_items, "item") + ", got " +
                        std::to_string(n));
}

}  // namespace instructor::detail
