#include "ratio_reporter.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>

namespace bench {
namespace {

class reporter : public benchmark::ConsoleReporter {
public:
    std::map<std::string, double> cpu_ns;  // per iteration, by the benchmark's own name

    void ReportRuns(std::vector<Run> const& runs) override
    {
        // A run's time, or with --benchmark_repetitions the median of its repetitions (with
        // --benchmark_enable_random_interleaving, repetitions of ours and the baseline take
        // turns: a slow patch of a shared host falls on both).
        // A benchmark's median comes after its last repetition.
        for (auto const& r : runs)
            if ((r.run_type == Run::RT_Iteration && r.iterations > 0) ||
                (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median"))
                cpu_ns[r.run_name.str()] = r.GetAdjustedCPUTime();
        ConsoleReporter::ReportRuns(runs);
    }
};

}  // namespace

int run(int argc, char** argv, std::vector<ratio> const& ratios)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    reporter rep;
    benchmark::RunSpecifiedBenchmarks(&rep);
    benchmark::Shutdown();
    std::printf("\nRatios (time of the first / time of the second; < 1 means faster):\n");
    for (auto const& r : ratios) {
        auto a = rep.cpu_ns.find(r.ours), b = rep.cpu_ns.find(r.baseline);
        if (a == rep.cpu_ns.end() || b == rep.cpu_ns.end())
            continue;
        std::printf("  %-50s %.3f\n", r.label.c_str(), a->second / b->second);
    }
    return 0;
}

}  // namespace bench
