// Latency percentiles as the commands and benchmarks report them: nearest rank, in ms rounded to
// the microsecond, and the maximum unless p100 was asked for.
#pragma once

#include <boost/json/object.hpp>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

namespace tools {

inline boost::json::object percentiles(std::vector<double> v, std::initializer_list<int> which)
{
    boost::json::object o;
    std::sort(v.begin(), v.end());
    for (int p : which) {
        double x = 0;
        if (!v.empty()) {
            auto rank =
                static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
            x = v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
        }
        o["p" + std::to_string(p)] = std::round(x * 1000) / 1000;
    }
    if (std::find(which.begin(), which.end(), 100) == which.end())
        o["max"] = v.empty() ? 0.0 : std::round(v.back() * 1000) / 1000;
    return o;
}

}  // namespace tools
