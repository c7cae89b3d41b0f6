// Decode throughput into a typical response model: our single-pass decoder vs the baseline
// boost::json::parse + value_to on the same text, in one run.
#include "ratio_reporter.hpp"

#include <instructor/instructor.hpp>

#include <benchmark/benchmark.h>
#include <boost/describe.hpp>
#include <boost/json.hpp>

namespace ins = instructor;

namespace catalog {

struct Dimensions {
    double width;
    double height;
    double depth;
};
BOOST_DESCRIBE_STRUCT(Dimensions, (), (width, height, depth))

struct Product {
    std::int64_t id;
    std::string name;
    std::string description;
    double price;
    bool in_stock;
    std::vector<std::string> tags;
    Dimensions dimensions;
    std::vector<std::int64_t> related;
};
BOOST_DESCRIBE_STRUCT(Product, (), (id, name, description, price, in_stock, tags, dimensions, related))

struct Catalog {
    std::string name;
    std::vector<Product> products;
};
BOOST_DESCRIBE_STRUCT(Catalog, (), (name, products))

}  // namespace catalog

namespace {

std::string make_document(int products)
{
    catalog::Catalog c{"Spring catalogue \"2026\"", {}};
    for (int i = 0; i < products; ++i) {
        catalog::Product p;
        p.id = 100000 + i;
        p.name = "Product number " + std::to_string(i);
        p.description = "A sturdy, well-made item with a \u00e9l\u00e9gant finish; ideal for daily "
                        "use.\nSecond line of text describing item " + std::to_string(i) + ".";
        p.price = 19.99 + i * 0.25;
        p.in_stock = i % 3 != 0;
        p.tags = {"home", "garden", "tag" + std::to_string(i % 7)};
        p.dimensions = {10.5, 20.25 + i, 3.0};
        p.related = {i + 1, i + 2, i + 3};
        c.products.push_back(std::move(p));
    }
    return ins::to_json(c);
}

std::string const& document()
{
    static std::string const doc = make_document(200);
    return doc;
}

void ours(benchmark::State& state)
{
    auto const& doc = document();
    for (auto _ : state) {
        auto r = ins::decode<catalog::Catalog>(doc);
        benchmark::DoNotOptimize(r);
        if (!r)
            state.SkipWithError("decode failed");
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(doc.size()));
}

void baseline_parse_value_to(benchmark::State& state)
{
    auto const& doc = document();
    for (auto _ : state) {
        auto c = boost::json::value_to<catalog::Catalog>(boost::json::parse(doc));
        benchmark::DoNotOptimize(c);
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(doc.size()));
}

void ours_in_4_byte_pieces(benchmark::State& state)
{
    auto const& doc = document();
    std::string_view v = doc;
    for (auto _ : state) {
        ins::decoder<catalog::Catalog> d;
        for (std::size_t i = 0; i < v.size(); i += 4)
            d.write(v.substr(i, 4));
        if (!d.finish())
            state.SkipWithError("decode failed");
        benchmark::DoNotOptimize(d.value());
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(doc.size()));
}

void ours_with_errors(benchmark::State& state)
{
    // every price a string that does not parse: one issue per product, all reported
    std::string doc = document();
    for (std::size_t at = 0; (at = doc.find("\"price\":", at)) != std::string::npos; at += 8)
        doc.insert(at + 8, "\"x\",\"_\":");
    for (auto _ : state) {
        auto r = ins::decode<catalog::Catalog>(doc);
        benchmark::DoNotOptimize(r);
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(doc.size()));
}

BENCHMARK(ours);
BENCHMARK(baseline_parse_value_to);
BENCHMARK(ours_in_4_byte_pieces);
BENCHMARK(ours_with_errors);

}  // namespace

int main(int argc, char** argv)
{
    std::printf("document: %zu bytes, 200 products\n", document().size());
    return bench::run(argc, argv,
                      {{"decode: ours / parse+value_to", "ours", "baseline_parse_value_to"},
                       {"decode in 4-byte pieces: ours / parse+value_to (whole)",
                        "ours_in_4_byte_pieces", "baseline_parse_value_to"}});
}
