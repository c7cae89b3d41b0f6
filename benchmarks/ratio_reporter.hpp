// A Google Benchmark main that also prints, after the run, the ratios between benchmarks that
// the program names (e.g. ours / baseline), measured in the same process on the same input.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace bench {

/// {label, numerator benchmark name, denominator benchmark name}
struct ratio {
    std::string label;
    std::string ours;
    std::string baseline;
};

int run(int argc, char** argv, std::vector<ratio> const& ratios);

}  // namespace bench
