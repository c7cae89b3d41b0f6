// instructor-bench as users run it: against the embedded mock (calls and streams, each schema,
// the mock's load flags and faults), against a URL, and with bad flags (exit status 2).
#include "command_output.hpp"

#include <instructor/testing/mock_server.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <string>

namespace bench_command_test {

namespace json = boost::json;

namespace {

test::command_output bench(std::string const& flags)
{
    std::string line = INSTRUCTOR_BENCH_COMMAND;  // appended: GCC 12 misreads a + chain here
    line += " ";
    line += flags;
    line += " 2>&1";
    return test::run_command(line);
}

json::object report(std::string const& flags, int expected_status = 0)
{
    auto const o = bench(flags + " --json");
    EXPECT_EQ(o.status, expected_status) << flags << "\n" << o.out;
    boost::system::error_code ec;
    auto v = json::parse(o.out, ec);
    if (ec || !v.is_object()) {
        ADD_FAILURE() << flags << ": not one JSON object:\n" << o.out;
        return {};
    }
    return v.as_object();
}

double number(json::object const& o, char const* key) { return o.at(key).to_number<double>(); }

TEST(BenchCommand, CallsAgainstTheEmbeddedMock)
{
    auto const r = report("--requests 40 --concurrency 4");
    ASSERT_FALSE(r.empty());
    EXPECT_EQ(r.at("requests"), 40);
    EXPECT_EQ(r.at("ok"), 40);
    EXPECT_TRUE(r.at("errors").as_object().empty());
    EXPECT_EQ(r.at("url"), "embedded mock");
    EXPECT_EQ(r.at("mode"), "tools");
    EXPECT_EQ(r.at("concurrency"), 4);
    auto const& lat = r.at("latency_ms").as_object();
    EXPECT_LE(number(lat, "p50"), number(lat, "p90"));
    EXPECT_LE(number(lat, "p90"), number(lat, "p99"));
    EXPECT_LE(number(lat, "p99"), number(lat, "max"));
    EXPECT_GT(number(lat, "p50"), 0);
    EXPECT_GT(number(r, "client_cpu_us_per_call"), 0);
    EXPECT_GT(number(r, "calls_per_second"), 0);
    EXPECT_GT(number(r, "peak_rss_kib"), 0);
    EXPECT_FALSE(r.contains("first_partial_ms"));
    EXPECT_EQ(std::string(r.at("mock").at("served").as_string()).rfind("40 requests on ", 0), 0u)
        << json::serialize(r);
}

TEST(BenchCommand, StreamsEachSchemaWithTheMocksPaceAndSize)
{
    for (auto const* schema : {"small", "nested", "large"}) {
        auto const r = report(std::string("--stream --requests 6 --concurrency 2 --schema ") +
                              schema + " --mock-tokens-per-second 20000 --mock-answer-bytes 3000" +
                              " --mock-latency 2:1");
        ASSERT_FALSE(r.empty()) << schema;
        EXPECT_EQ(r.at("ok"), 6) << schema << json::serialize(r);
        EXPECT_EQ(r.at("schema"), schema);
        auto const& fp = r.at("first_partial_ms").as_object();
        EXPECT_GT(number(fp, "p50"), 0);
        EXPECT_LE(number(fp, "p99"), number(r.at("latency_ms").as_object(), "max"));
        EXPECT_EQ(r.at("mock").at("answer_bytes"), 3000);
    }
}

TEST(BenchCommand, ErrorsAreCountedByErrc)
{
    // Every answer faulted with a 503: retried, then server_error; no call succeeds (exit 1).
    auto const r = report("--requests 5 --mock-fault-rate 1", 1);
    ASSERT_FALSE(r.empty());
    EXPECT_EQ(r.at("ok"), 0);
    std::int64_t failed = 0;
    for (auto const& kv : r.at("errors").as_object())
        failed += kv.value().to_number<std::int64_t>();
    EXPECT_EQ(failed, 5);
}

TEST(BenchCommand, AnyUrlForADuration)
{
    instructor::testing::mock_server m;
    auto const r = report("--url " + m.base_url() + " --api-key-env NO_SUCH_KEY_VAR --duration 0.3" +
                          " --mode json --concurrency 2");
    ASSERT_FALSE(r.empty());
    EXPECT_GT(number(r, "ok"), 0);
    EXPECT_EQ(r.at("ok"), r.at("requests"));
    EXPECT_EQ(r.at("url").as_string(), m.base_url());
    EXPECT_EQ(r.at("mode"), "json");
    EXPECT_FALSE(r.contains("mock"));
    EXPECT_EQ(m.requests_served(), static_cast<std::size_t>(number(r, "requests")));
}

TEST(BenchCommand, HumanSummary)
{
    auto const o = bench("--requests 10");
    EXPECT_EQ(o.status, 0) << o.out;
    EXPECT_NE(o.out.find("10 calls (10 ok, 0 failed)"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("latency ms: p50 "), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("client CPU "), std::string::npos) << o.out;
}

TEST(BenchCommand, APriceGivesWhatTheCallsCost)
{
    auto const r = report("--requests 6 --price 1:4:0.5");
    ASSERT_FALSE(r.empty());
    EXPECT_EQ(r.at("ok"), 6);
    EXPECT_GT(number(r, "cost_usd"), 0);
    EXPECT_NEAR(number(r, "cost_usd_per_call") * 6, number(r, "cost_usd"), 1e-12);
    auto const s = report("--requests 3 --stream --price 1:4");
    EXPECT_GT(number(s, "cost_usd"), 0);
    EXPECT_FALSE(report("--requests 2").contains("cost_usd"));
    auto const o = bench("--requests 2 --price 2.5:10");
    EXPECT_NE(o.out.find("cost: $"), std::string::npos) << o.out;
}

TEST(BenchCommand, BadFlagsExitWithStatus2)
{
    for (auto const* flags :
         {"--concurrency 0", "--requests many", "--requests 5 --duration 1", "--mode nope",
          "--schema huge", "--url http://127.0.0.1:9/v1 --mock-latency 5", "--bogus",
          "--duration", "--mock-fault-rate 1.5", "stray", "--url not-a-url", "--price 3",
          "--price 1:x", "--price -1:2"}) {
        auto const o = bench(flags);
        EXPECT_EQ(o.status, 2) << flags << ": " << o.out;
        EXPECT_NE(o.out.find("instructor-bench: "), std::string::npos) << flags << ": " << o.out;
    }
}

}  // namespace

}  // namespace bench_command_test
