// JSON repair: (a) how much of the corpus of almost-JSON replies decodes to the right value
// without a re-ask, with repair and without; (b) what repair costs decode<T> on valid replies
// (it should cost nothing: it runs only after a syntax error) and, for context, on a reply
// that needs it.
#include "ratio_reporter.hpp"

#include "repair_corpus.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace {

using repair_corpus::Order;

std::vector<repair_corpus::entry> const& corpus()
{
    static auto const c = repair_corpus::load(INSTRUCTOR_TEST_DATA_DIR "/repair_corpus.json");
    return c;
}

// A realistic structured reply: an order of 25 lines (~1.5 KB), as a model writes it.
std::string const& valid_reply()
{
    static std::string const text = [] {
        Order o{"A-1042", {}, 0, true, std::nullopt};
        for (int i = 0; i < 25; ++i) {
            o.lines.push_back({"SKU-" + std::to_string(1000 + i), 1 + i % 4, 4.75 + i});
            o.total += o.lines.back().price * o.lines.back().quantity;
        }
        return ins::to_json(o);
    }();
    return text;
}

// The same order as a Python dict in a fenced block with prose around it.
std::string const& python_reply()
{
    static std::string const text = [] {
        std::string dict;
        for (char c : valid_reply())
            dict.push_back(c == '"' ? '\'' : c);
        for (auto [from, to] : {std::pair{"true", "True"}, {"null", "None"}})
            for (auto at = dict.find(from); at != std::string::npos; at = dict.find(from, at))
                dict.replace(at, 4, to);
        return "Here is the order:\n```python\n" + dict + "\n```\nAnything else?";
    }();
    return text;
}

void decode_order(benchmark::State& state, std::string const& text, ins::decode_options opts)
{
    for (auto _ : state) {
        auto r = ins::decode<Order>(text, opts);
        benchmark::DoNotOptimize(r);
        if (!r)
            state.SkipWithError("decode failed");
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(text.size()));
}

void valid_reply_decode(benchmark::State& s) { decode_order(s, valid_reply(), {}); }
void python_dict_repaired(benchmark::State& s) { decode_order(s, python_reply(), {}); }

// Repair on against off, on the valid reply. Both run the same code, so the ratio is ~1 plus
// noise; on a shared 2-core machine two benchmarks run a second apart see different loads, so
// the two decodes are interleaved in one loop (their order alternating) and the counter is the
// median over blocks of 64 pairs of time(on) / time(off): a preemption spoils one block only.
void valid_reply_on_vs_off(benchmark::State& state)
{
    using clock = std::chrono::steady_clock;
    auto const& text = valid_reply();
    auto timed = [&](ins::decode_options const& opts) {
        auto const start = clock::now();
        auto r = ins::decode<Order>(text, opts);
        benchmark::DoNotOptimize(r);
        return std::chrono::duration<double>(clock::now() - start).count();
    };
    std::vector<double> ratios;
    double on = 0, off = 0;
    std::size_t pairs = 0;
    for (auto _ : state) {
        if (pairs % 2 == 0) {
            on += timed({});
            off += timed({.repair = false});
        }
        else {
            off += timed({.repair = false});
            on += timed({});
        }
        if (++pairs % 64 == 0) {
            ratios.push_back(on / off);
            on = off = 0;
        }
    }
    if (ratios.empty())
        return;
    std::nth_element(ratios.begin(), ratios.begin() + ratios.size() / 2, ratios.end());
    state.counters["on/off"] = ratios[ratios.size() / 2];
}

void corpus_pass(benchmark::State& state, ins::decode_options opts)
{
    for (auto _ : state)
        benchmark::DoNotOptimize(repair_corpus::run(corpus(), opts));
}
void corpus_repair_on(benchmark::State& s) { corpus_pass(s, {}); }
void corpus_repair_off(benchmark::State& s) { corpus_pass(s, {.repair = false}); }

BENCHMARK(valid_reply_decode);
BENCHMARK(valid_reply_on_vs_off);
BENCHMARK(python_dict_repaired);
BENCHMARK(corpus_repair_on);
BENCHMARK(corpus_repair_off);

void print_shares()
{
    auto const& c = corpus();
    std::size_t due = 0;
    for (auto const& e : c)
        due += !e.expect.is_null();
    std::printf("corpus: %zu replies, %zu with a value to find, %zu that must not decode\n",
                c.size(), due, c.size() - due);
    for (auto [label, opts] : {std::pair{"with repair", ins::decode_options{}},
                               {"without repair", ins::decode_options{.repair = false}}}) {
        auto s = repair_corpus::run(c, opts);
        std::printf("  %-15s right value without a re-ask: %zu/%zu (%.1f%%), wrong: %zu\n", label,
                    s.right, due, 100.0 * double(s.right) / double(due), s.wrong);
        for (auto const& name : s.wrong_names)
            std::printf("    wrong: %s\n", name.c_str());
    }
    std::printf("valid reply: %zu bytes; Python-dict reply: %zu bytes\n", valid_reply().size(),
                python_reply().size());
    std::printf("valid reply, repair on / off: the on/off counter of valid_reply_on_vs_off "
                "(target < 1.05)\n\n");
}

}  // namespace

int main(int argc, char** argv)
{
    print_shares();
    return bench::run(argc, argv,
                      {{"repaired Python dict / valid reply, same order", "python_dict_repaired",
                        "valid_reply_decode"},
                       {"corpus pass: repair on / off", "corpus_repair_on", "corpus_repair_off"}});
}
