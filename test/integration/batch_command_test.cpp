// instructor-batch as users run it: `run` against the embedded mock (a directory of texts, a
// requests file, CSV, the retry pass, Anthropic), each command across invocations against a
// mock endpoint of the test's own, and bad flags (exit status 2).
#include "command_output.hpp"

#include <instructor/testing/mock_server.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace batch_command_test {

namespace json = boost::json;
using instructor::testing::mock_options;
using instructor::testing::mock_server;
using namespace std::chrono_literals;

namespace {

test::command_output batch(std::string const& flags)
{
    std::string line = INSTRUCTOR_BATCH_COMMAND;  // appended: GCC 12 misreads a + chain here
    line += " ";
    line += flags;
    line += " 2>/dev/null";
    return test::run_command(line);
}

std::vector<json::object> jsonl(std::string const& text)
{
    std::vector<json::object> out;
    std::size_t at = 0;
    while (at < text.size()) {
        auto lf = text.find('\n', at);
        if (lf == std::string::npos)
            lf = text.size();
        boost::system::error_code ec;
        auto v = json::parse(std::string_view(text).substr(at, lf - at), ec);
        if (ec || !v.is_object())
            ADD_FAILURE() << "not a JSON object line: " << text.substr(at, lf - at);
        else
            out.push_back(v.as_object());
        at = lf + 1;
    }
    return out;
}

/// A scratch directory with two texts and a requests file, removed at the end.
struct inputs {
    std::filesystem::path dir;
    inputs()
    {
        char tmpl[] = "/tmp/instructor-batch-test-XXXXXX";
        dir = ::mkdtemp(tmpl);
        std::ofstream(dir / "alice.txt") << "Alice is 30.";
        std::ofstream(dir / "bob smith.txt") << "Bob is 41.";
        std::ofstream(dir / "reqs.jsonl")
            << R"({"custom_id":"r1","text":"Carol is 25"})" << "\n\n"
            << R"({"custom_id":"r2","messages":[{"role":"user","content":"Dan is 52"}]})" << "\n"
            << R"({"custom_id":"r3","text":"Eve is 33","max_tokens":100})" << "\n";
    }
    ~inputs() { std::filesystem::remove_all(dir); }
    std::string texts() const { return "--dir " + dir.string() + " --prompt 'Extract the person.'"; }
    std::string requests() const { return "--requests " + (dir / "reqs.jsonl").string(); }
};

}  // namespace

TEST(BatchCommand, RunAgainstTheEmbeddedMock)
{
    inputs in;
    auto o = batch("run --type SmallUser " + in.texts());
    ASSERT_EQ(o.status, 0) << o.out;
    auto lines = jsonl(o.out);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].at("custom_id"), "alice");
    EXPECT_EQ(lines[1].at("custom_id"), "bob_smith");  // a file name made an id
    EXPECT_EQ(lines[0].at("status"), "ok");
    EXPECT_EQ(lines[0].at("value").at("age"), 30);

    // CSV, a failed and an invalid line, then the same with the retry pass, at Anthropic.
    o = batch("run --type SmallUser --format csv --mock-fail r1 --mock-invalid r2 " + in.requests());
    EXPECT_EQ(o.status, 0) << o.out;
    EXPECT_EQ(o.out.rfind("custom_id,status,name,age,error\n", 0), 0u) << o.out;
    EXPECT_NE(o.out.find("\nr3,ok,"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("\nr2,invalid,,,\"name: Field required"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("\nr1,error,,,server_error: "), std::string::npos) << o.out;

    o = batch("run --type SmallUser --provider anthropic --retry --mock-invalid r2 " + in.requests());
    ASSERT_EQ(o.status, 0) << o.out;
    lines = jsonl(o.out);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[1].at("custom_id"), "r2");
    EXPECT_EQ(lines[1].at("status"), "ok");
    EXPECT_EQ(lines[1].at("attempt"), 2);
}

TEST(BatchCommand, EachCommandAcrossInvocations)
{
    inputs in;
    mock_options mo;
    mo.batch_invalid_ids = {"r2"};
    mock_server m(mo);
    auto const url = " --url " + m.base_url();
    auto o = batch("create --type SmallUser --json --metadata job=test " + in.requests() + url);
    ASSERT_EQ(o.status, 0) << o.out;
    auto const created = json::parse(o.out).as_object();
    std::string const id(created.at("id").as_string());
    EXPECT_EQ(created.at("total"), 3);

    o = batch("status " + id + " --json" + url);
    ASSERT_EQ(o.status, 0) << o.out;
    EXPECT_EQ(json::parse(o.out).at("status"), "completed");
    o = batch("wait " + id + url);
    ASSERT_EQ(o.status, 0) << o.out;
    EXPECT_NE(o.out.find(id + "  completed  3/3 done, 0 failed"), std::string::npos) << o.out;

    auto const results = (in.dir / "out.jsonl").string();
    o = batch("results " + id + " --type SmallUser --out " + results + url);
    ASSERT_EQ(o.status, 0) << o.out;
    std::ifstream f(results);
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto lines = jsonl(text);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[1].at("status"), "invalid");
    EXPECT_FALSE(lines[1].at("issues").as_array().empty());

    o = batch("retry-failures " + id + " --type SmallUser --json " + in.requests() + url);
    ASSERT_EQ(o.status, 0) << o.out;
    auto const second = json::parse(o.out).as_object();
    EXPECT_EQ(second.at("total"), 1);
    EXPECT_NE(second.at("id"), created.at("id"));

    o = batch("list --limit 1 --json" + url);
    ASSERT_EQ(o.status, 0) << o.out;
    auto const page = json::parse(o.out).as_object();
    ASSERT_EQ(page.at("batches").as_array().size(), 1u);
    EXPECT_EQ(page.at("batches").at(0).at("id"), second.at("id"));  // newest first
    EXPECT_EQ(page.at("has_more"), true);

    // The provider's answer as the exit status: an unknown batch.
    o = batch("status batch_999" + url);
    EXPECT_EQ(o.status, 1) << o.out;

    mock_options slow;
    slow.batch_delay = 60s;
    mock_server m2(slow);
    o = batch("create --type SmallUser --json " + in.texts() + " --url " + m2.base_url());
    ASSERT_EQ(o.status, 0) << o.out;
    auto const running = json::parse(o.out).as_object();
    EXPECT_EQ(running.at("status"), "in_progress");
    o = batch("cancel " + std::string(running.at("id").as_string()) + " --json --url " + m2.base_url());
    ASSERT_EQ(o.status, 0) << o.out;
    EXPECT_EQ(json::parse(o.out).at("status"), "cancelled");
}

TEST(BatchCommand, BadFlagsExitWithStatus2)
{
    inputs in;
    std::vector<std::string> const cases = {std::string(""), std::string("launch"),
                              "run " + in.requests(),                       // no --type
                              "run --type SmallUser",                       // no input
                              "run --type SmallUser --dir /nonexistent-dir-x --prompt p",
                              "run --type Nope " + in.requests(),
                              "run --type SmallUser --format xml " + in.requests(),
                              "run --type SmallUser --dir /tmp",            // --dir without --prompt
                              std::string("status batch_1"),                // no --url
                              std::string("status --url http://127.0.0.1:1"),  // no id
                              "create --type SmallUser --url http://127.0.0.1:1 --requests /nonexistent.jsonl"};
    for (auto const& flags : cases)
        EXPECT_EQ(batch(flags).status, 2) << flags;
}

TEST(BatchCommand, AServersWordsAreMadeSafeForSpreadsheetsAndTerminals)
{
    // A server whose results hold a formula, a control sequence and the key: the CSV cell is
    // neutralised, the terminal never gets an ESC, the key never shows.
    mock_server m;
    std::string const k = "sk-command-secret-key-77";
    auto const env = "OPENAI_API_KEY=" + k + " ";
    auto const run = [&](std::string const& flags) {
        std::string line = env;
        line += INSTRUCTOR_BATCH_COMMAND;
        line += " ";
        line += flags;
        line += " --url " + m.base_url() + " 2>&1";  // errors too: they reach a terminal
        return test::run_command(line);
    };
    auto const answer = [](std::string id, std::string name) {
        auto body = json::parse(instructor::testing::mock_reply::chat_tool_call(
                                    "SmallUser", json::serialize(json::object{{"name", name},
                                                                              {"age", 3}}))
                                    .body);
        return json::serialize(json::object{
                   {"custom_id", id},
                   {"response", json::object{{"status_code", 200}, {"body", body}}}}) +
               "\n";
    };
    instructor::testing::mock_reply batch;
    batch.body = R"({"id":"batch_1","status":"completed","output_file_id":"file-1",
        "request_counts":{"total":3,"completed":2,"failed":1}})";
    instructor::testing::mock_reply file;
    file.body = answer("r1", "=HYPERLINK(\"http://evil.example\",\"click\")") +
                answer("@r2", "Ann\x1b]0;owned\x07") +
                json::serialize(json::object{
                    {"custom_id", "r3"},
                    {"error", json::object{{"code", "x"},
                                           {"message", "key " + k + " \x1b[2J refused"}}}}) +
                "\n";
    m.push(batch);
    m.push(file);
    auto o = run("results batch_1 --type SmallUser --format csv");
    EXPECT_EQ(o.status, 0) << o.out;
    EXPECT_NE(o.out.find("\nr1,ok,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\",3,"),
              std::string::npos)
        << o.out;
    EXPECT_NE(o.out.find("\n\"'@r2\",ok,Ann\\x1b]0;owned\\x07,3,"), std::string::npos) << o.out;
    EXPECT_EQ(o.out.find('\x1b'), std::string::npos) << o.out;
    EXPECT_EQ(o.out.find(k), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("[redacted]"), std::string::npos) << o.out;

    // JSONL stays JSON (its escaping covers control characters), without the key.
    m.push(batch);
    m.push(file);
    o = run("results batch_1 --type SmallUser");
    EXPECT_EQ(o.status, 0) << o.out;
    EXPECT_EQ(jsonl(o.out).size(), 3u) << o.out;
    EXPECT_EQ(o.out.find(k), std::string::npos) << o.out;

    // A batch's id, status and failure as text; the failure echoes the key.
    instructor::testing::mock_reply failed;
    failed.body = json::serialize(json::object{
        {"id", "batch_2"},
        {"status", "failed\x1b[1A"},
        {"errors", json::object{{"data", json::array{json::object{
                                             {"message", "the key " + k + " \x1b[2J\xc2\x9b" "31m"}}}}}}});
    m.push(failed);
    o = run("status batch_2");
    EXPECT_EQ(o.status, 0) << o.out;
    EXPECT_NE(o.out.find("batch_2  failed\\x1b[1A  0/0 done"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("\\x1b[2J\\xc2\\x9b31m"), std::string::npos) << o.out;  // U+009B: CSI
    EXPECT_EQ(o.out.find('\x1b'), std::string::npos) << o.out;
    EXPECT_EQ(o.out.find("\xc2\x9b"), std::string::npos) << o.out;
    EXPECT_EQ(o.out.find(k), std::string::npos) << o.out;

    // An error the command reports, holding the server's words.
    instructor::testing::mock_reply bad;
    bad.body = "{\"id\":\"batch_4\",\"status\":\"completed\",\"output_file_id\":\"file-4\"}";
    m.push(bad);
    instructor::testing::mock_reply garbage;
    garbage.body = "not json \x1b[2J " + k + "\n";
    m.push(garbage);
    o = run("results batch_4 --type SmallUser");
    EXPECT_EQ(o.status, 1) << o.out;
    EXPECT_NE(o.out.find("protocol_error"), std::string::npos) << o.out;
    EXPECT_EQ(o.out.find('\x1b'), std::string::npos) << o.out;
    EXPECT_EQ(o.out.find(k), std::string::npos) << o.out;
}

TEST(BatchCommand, APriceMakesRunAndResultsSayWhatTheAnswersCost)
{
    inputs in;
    auto const out = (in.dir / "out.jsonl").string();
    auto run = [&](std::string const& flags) {
        std::string line = INSTRUCTOR_BATCH_COMMAND;
        line += " run --type SmallUser --out " + out + " " + flags + " " + in.texts() + " 2>&1";
        return test::run_command(line);
    };
    auto o = run("--price 2:8");
    ASSERT_EQ(o.status, 0) << o.out;
    auto const at = o.out.find("cost: $");
    ASSERT_NE(at, std::string::npos) << o.out;
    double cost = 0;
    unsigned long long tokens = 0;
    ASSERT_EQ(std::sscanf(o.out.c_str() + at, "cost: $%lf (%llu tokens", &cost, &tokens), 2) << o.out;
    EXPECT_GT(tokens, 0u);
    EXPECT_GT(cost, 0.0);
    // At most every token at the output price, halved for a batch; at least at the input's.
    EXPECT_LE(cost, static_cast<double>(tokens) * 8 / 1e6 * 0.5 + 1e-12);
    EXPECT_GE(cost, static_cast<double>(tokens) * 2 / 1e6 * 0.5 - 1e-12);
    EXPECT_EQ(jsonl(test::run_command("cat " + out).out).size(), 2u);  // the results apart

    o = run("");
    ASSERT_EQ(o.status, 0) << o.out;
    EXPECT_EQ(o.out.find("cost:"), std::string::npos) << o.out;
    EXPECT_EQ(batch("run --type SmallUser --price 2 " + in.texts()).status, 2);
}

}  // namespace batch_command_test
