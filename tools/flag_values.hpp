// The commands' flag values: a bad one is a message naming the flag, the usage, and exit
// status 2.
#pragma once

#include <instructor/usage.hpp>

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

namespace tools {

struct flag_values {
    std::string_view program;  ///< "instructor-bench"
    char const* usage;

    [[noreturn]] void fail(std::string const& why) const
    {
        std::cerr << program << ": " << why << "\n" << usage;
        std::exit(2);
    }

    /// A whole number in [lo, hi].
    unsigned long long whole(std::string_view flag, std::string_view v, unsigned long long lo,
                             unsigned long long hi) const
    {
        unsigned long long n = 0;
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec != std::errc() || end != v.data() + v.size() || n < lo || n > hi)
            fail(std::string(flag) + " takes a whole number from " + std::to_string(lo) + " to " +
                 std::to_string(hi) + ", not '" + std::string(v) + "'");
        return n;
    }

    /// A number in [lo, hi].
    double real(std::string_view flag, std::string_view v, double lo, double hi) const
    {
        std::string const text(v);
        char* end = nullptr;
        double const d = std::strtod(text.c_str(), &end);
        if (text.empty() || *end || !(d >= lo && d <= hi))
            fail(std::string(flag) + " takes a number from " + std::to_string(lo) + " to " +
                 std::to_string(hi) + ", not '" + text + "'");
        return d;
    }

    /// `IN:OUT[:CACHED]`: a model's price in US dollars per million input, output and cached
    /// input tokens (--price).
    instructor::price price(std::string_view flag, std::string_view v) const
    {
        instructor::price p;
        auto const one = v.find(':');
        if (one == std::string_view::npos)
            fail(std::string(flag) + " is IN:OUT[:CACHED], US dollars per million tokens");
        auto const two = v.find(':', one + 1);
        p.input_per_mtok = real(flag, v.substr(0, one), 0, 1e6);
        p.output_per_mtok =
            real(flag,
                 v.substr(one + 1, two == std::string_view::npos ? std::string_view::npos
                                                                  : two - one - 1),
                 0, 1e6);
        if (two != std::string_view::npos)
            p.cached_input_per_mtok = real(flag, v.substr(two + 1), 0, 1e6);
        return p;
    }
};

}  // namespace tools
