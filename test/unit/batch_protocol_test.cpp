// The batch services without sockets: the lines and requests each API is sent, what its
// answers mean, and the JSONL splitter that reads result files a piece at a time.
#include "protocol/batch_api.hpp"
#include "batch/jsonl_lines.hpp"

#include <instructor/instructor.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace batch_protocol_test {

namespace ins = instructor;
namespace json = boost::json;
using ins::detail::make_batch_api;

namespace {

ins::client_options options(ins::mode m)
{
    ins::client_options o;
    o.base_url = "https://api.example.com/v1";
    o.api_key = "sk-unit-batch-key";
    o.mode = m;
    return o;
}

/// The batch service of mode `m`, redacting the options' key (as the client's exit gives it).
std::unique_ptr<ins::detail::batch_api> api_of(ins::mode m)
{
    return make_batch_api(m, options(m), {options(m).api_key});
}

ins::endpoint_config endpoint() { return {"https://api.example.com/v1", "sk-unit-batch-key", {}}; }

/// A request's body: the file it is streamed from, or its string.
std::string body_of(ins::net::http_request const& r)
{
    if (r.body_file.empty())
        return r.body;
    std::ifstream in(r.body_file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::optional<ins::errc> code_of(auto f)
{
    try {
        f();
    }
    catch (ins::error const& e) {
        return e.code_enum();
    }
    return std::nullopt;
}

}  // namespace

TEST(JsonlLines, LinesCutAcrossFeedsComeOutWhole)
{
    ins::detail::jsonl_lines lines(1024);
    std::string const text = "{\"a\":1}\n\r\n{\"b\":2}\r\n  \n{\"c\":3}";
    std::vector<std::string> got;
    for (char c : text) {  // one byte a feed: every cut
        lines.feed(std::string_view(&c, 1));
        while (auto l = lines.next())
            got.push_back(*l);
    }
    EXPECT_EQ(got.size(), 2u);  // the last has no line end yet
    lines.finish();
    while (auto l = lines.next())
        got.push_back(*l);
    EXPECT_EQ(got, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"}));
}

TEST(JsonlLines, ALineLongerThanTheLimitIsRefusedBeforeItIsHeld)
{
    ins::detail::jsonl_lines lines(10);
    lines.feed("0123456789\n");
    EXPECT_EQ(*lines.next(), "0123456789");
    EXPECT_EQ(code_of([&] { lines.feed("0123456789A"); }), ins::errc::response_too_large);
    ins::detail::jsonl_lines whole(10);
    whole.feed("0123456789AB\n");  // complete in one piece, still too long
    EXPECT_EQ(code_of([&] { (void)whole.next(); }), ins::errc::response_too_large);
}

TEST(JsonlLines, LineEndsWithoutLinesAreCutOff)
{
    ins::detail::jsonl_lines lines(10);
    lines.feed("\n\n\n\n\n{}\n");
    EXPECT_EQ(*lines.next(), "{}");  // a few blank lines are skipped
    lines.feed(std::string(20, '\n'));
    EXPECT_EQ(code_of([&] { (void)lines.next(); }), ins::errc::protocol_error);
}

TEST(OpenAIBatches, UploadThenCreateWithTheLinesTheWireWrites)
{
    auto api = api_of(ins::mode::tools);
    api->add("0", json::object{{"model", "m"}});
    api->add("1", json::object{{"model", "n"}});
    ins::batch_options bo;
    bo.metadata["job"] = "nightly";
    auto up = api->create(endpoint(), bo);
    EXPECT_EQ(up.method, "POST");
    EXPECT_EQ(up.url, "https://api.example.com/v1/files");
    EXPECT_TRUE(up.idempotent);  // an upload may be sent again: it makes only a file
    auto ct = ins::net::find_header(up.headers, "Content-Type");
    ASSERT_TRUE(ct);
    EXPECT_TRUE(ct->starts_with("multipart/form-data; boundary="));
    EXPECT_EQ(*ins::net::find_header(up.headers, "Authorization"), "Bearer sk-unit-batch-key");
    EXPECT_TRUE(up.body.empty());  // streamed from a file, never held
    auto const up_body = body_of(up);
    EXPECT_NE(up_body.find("name=\"purpose\"\r\n\r\nbatch\r\n"), std::string::npos);
    EXPECT_NE(up_body.find(R"({"custom_id":"0","method":"POST","url":"/v1/chat/completions","body":{"model":"m"}})"
                           "\n"),
              std::string::npos);
    EXPECT_TRUE(up_body.ends_with("--\r\n"));

    auto create = api->after(endpoint(), json::parse(R"({"id":"file-9","object":"file"})"), bo);
    ASSERT_TRUE(create);
    EXPECT_EQ(create->url, "https://api.example.com/v1/batches");
    EXPECT_FALSE(create->idempotent);  // never sent twice: a second would make a second batch
    auto body = json::parse(create->body).as_object();
    EXPECT_EQ(body.at("input_file_id"), "file-9");
    EXPECT_EQ(body.at("endpoint"), "/v1/chat/completions");
    EXPECT_EQ(body.at("completion_window"), "24h");
    EXPECT_EQ(body.at("metadata").at("job"), "nightly");
    EXPECT_EQ(body.at("metadata").at("instructor_mode"), "tools");
    EXPECT_FALSE(api->after(endpoint(), json::parse(R"({"id":"batch_1","status":"validating"})"), bo));

    // The upload's answer must name the file.
    auto again = api_of(ins::mode::tools);
    again->add("0", {});
    (void)again->create(endpoint(), bo);
    EXPECT_EQ(code_of([&] { (void)again->after(endpoint(), json::parse(R"({"object":"file"})"), bo); }),
              ins::errc::protocol_error);
}

TEST(OpenAIBatches, TheSpooledFileIsRemovedWithTheBatch)
{
    std::string path;
    {
        auto api = api_of(ins::mode::tools);
        api->add("0", {});
        path = api->create(endpoint(), {}).body_file;
        EXPECT_TRUE(std::filesystem::exists(path));
    }
    EXPECT_FALSE(std::filesystem::exists(path));
    // An unwritable TMPDIR is a clear error, not a crash.
    char const* old = std::getenv("TMPDIR");
    std::string const saved = old ? old : "";
    ::setenv("TMPDIR", "/nonexistent-dir-for-instructor-test", 1);
    auto api = api_of(ins::mode::tools);
    EXPECT_EQ(code_of([&] { api->add("0", {}); }), ins::errc::invalid_argument);
    if (old)
        ::setenv("TMPDIR", saved.c_str(), 1);
    else
        ::unsetenv("TMPDIR");
}

TEST(OpenAIBatches, ResponsesModeLinesGoToResponses)
{
    auto api = api_of(ins::mode::responses_structured_outputs);
    api->add("x", {});
    auto up = api->create(endpoint(), {});
    EXPECT_NE(body_of(up).find("\"url\":\"/v1/responses\""), std::string::npos);
}

TEST(OpenAIBatches, LimitsAreCheckedAsLinesAreAdded)
{
    auto api = api_of(ins::mode::tools);
    for (std::size_t i = 0; i < ins::batch_limits_for(ins::mode::tools).max_lines; ++i)
        api->add(std::to_string(i), {});
    EXPECT_EQ(code_of([&] { api->add("over", {}); }), ins::errc::invalid_argument);
    auto big = api_of(ins::mode::tools);
    json::object body{{"text", std::string(50 * 1024 * 1024, 'x')}};
    for (int i = 0; i < 3; ++i)
        big->add(std::to_string(i), body);
    EXPECT_EQ(code_of([&] { big->add("3", body); }), ins::errc::invalid_argument);
    auto empty = api_of(ins::mode::tools);
    EXPECT_EQ(code_of([&] { (void)empty->create(endpoint(), {}); }), ins::errc::invalid_argument);
}

TEST(OpenAIBatches, BatchesPagesAndResultLinesAreRead)
{
    auto api = api_of(ins::mode::tools);
    auto b = api->parse_batch(json::parse(R"({
        "id":"batch_1","object":"batch","endpoint":"/v1/chat/completions","status":"completed",
        "output_file_id":"file-o","error_file_id":"file-e",
        "request_counts":{"total":3,"completed":2,"failed":1},
        "metadata":{"instructor_mode":"json_schema","job":"x"}})"));
    EXPECT_EQ(b.id, "batch_1");
    EXPECT_EQ(b.total, 3u);
    EXPECT_EQ(b.completed, 2u);
    EXPECT_EQ(b.failed, 1u);
    EXPECT_TRUE(b.terminal());
    ASSERT_TRUE(b.mode);
    EXPECT_EQ(*b.mode, ins::mode::json_schema);
    auto files = api->results(endpoint(), b);
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files[0].method, "GET");
    EXPECT_EQ(files[0].url, "https://api.example.com/v1/files/file-o/content");
    EXPECT_EQ(files[1].url, "https://api.example.com/v1/files/file-e/content");

    auto failed = api->parse_batch(json::parse(R"({"id":"batch_2","status":"failed",
        "errors":{"object":"list","data":[{"code":"invalid_json_line","message":"line 3 is bad"}]}})"));
    EXPECT_EQ(failed.failure, "line 3 is bad");
    EXPECT_TRUE(api->results(endpoint(), failed).empty());
    EXPECT_EQ(code_of([&] { (void)api->parse_batch(json::parse(R"({"id":"x"})")); }),
              ins::errc::protocol_error);

    auto page = api->parse_page(json::parse(
        R"({"object":"list","data":[{"id":"batch_2","status":"in_progress"}],"has_more":true,"last_id":"batch_2"})"));
    ASSERT_EQ(page.batches.size(), 1u);
    EXPECT_TRUE(page.has_more);
    EXPECT_EQ(page.last_id, "batch_2");
    ins::list_options lo;
    lo.limit = 500;
    lo.after = "batch_2";
    EXPECT_EQ(api->list(endpoint(), lo).url, "https://api.example.com/v1/batches?limit=100&after=batch_2");

    auto ok = api->parse_result(
        R"({"id":"r","custom_id":"7","response":{"status_code":200,"body":{"id":"chatcmpl"}},"error":null})");
    EXPECT_EQ(ok.custom_id, "7");
    EXPECT_FALSE(ok.failure);
    EXPECT_EQ(ok.response.at("id"), "chatcmpl");
    auto bad = api->parse_result(
        R"({"custom_id":"8","response":{"status_code":429,"body":{"error":{"message":"slow down"}}},"error":null})");
    ASSERT_TRUE(bad.failure);
    EXPECT_EQ(bad.failure->code_enum(), ins::errc::rate_limited);
    EXPECT_EQ(bad.failure->http_status, 429);
    EXPECT_EQ(bad.failure->provider_message, "slow down");
    auto expired = api->parse_result(
        R"({"custom_id":"9","response":null,"error":{"code":"batch_expired","message":"not run"}})");
    ASSERT_TRUE(expired.failure);
    EXPECT_EQ(expired.failure->code_enum(), ins::errc::timeout);
    EXPECT_EQ(code_of([&] { (void)api->parse_result(R"({"response":{}})"); }), ins::errc::protocol_error);
    EXPECT_EQ(code_of([&] { (void)api->parse_result("[]"); }), ins::errc::protocol_error);
    EXPECT_EQ(code_of([&] {
                  (void)api->parse_result(R"({"custom_id":"1","response":{"status_code":200,"body":3}})");
              }),
              ins::errc::protocol_error);
}

TEST(OpenAIBatches, IdsThatAreNotIdsNeverReachAUrl)
{
    auto api = api_of(ins::mode::tools);
    for (auto id : {"", "../files", "a/b", "a?b", "a b", "a%2F", ".", "..", ".hidden"})
        EXPECT_EQ(code_of([&] { (void)api->retrieve(endpoint(), id); }), ins::errc::invalid_argument)
            << id;
    EXPECT_EQ(api->cancel(endpoint(), "batch_1").url, "https://api.example.com/v1/batches/batch_1/cancel");
}

TEST(AnthropicBatches, TheRequestsGoInTheCreateCall)
{
    auto api = api_of(ins::mode::anthropic_tools);
    api->add("a-1", json::object{{"model", "claude"}});
    api->add("b_2", json::object{{"model", "claude"}});
    EXPECT_EQ(code_of([&] { api->add("has space", {}); }), ins::errc::invalid_argument);
    EXPECT_EQ(code_of([&] { api->add(std::string(65, 'x'), {}); }), ins::errc::invalid_argument);
    auto r = api->create(endpoint(), {});
    EXPECT_EQ(r.url, "https://api.example.com/v1/messages/batches");
    EXPECT_FALSE(r.idempotent);  // the create call: never sent twice
    EXPECT_EQ(*ins::net::find_header(r.headers, "x-api-key"), "sk-unit-batch-key");
    EXPECT_TRUE(ins::net::find_header(r.headers, "anthropic-version"));
    EXPECT_EQ(*ins::net::find_header(r.headers, "Content-Type"), "application/json");
    auto body = json::parse(body_of(r)).as_object();
    auto const& items = body.at("requests").as_array();
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[1].at("custom_id"), "b_2");
    EXPECT_EQ(items[1].at("params").at("model"), "claude");
    EXPECT_FALSE(api->after(endpoint(), json::object{}, {}));
}

TEST(AnthropicBatches, BatchesAndEveryKindOfResult)
{
    auto api = api_of(ins::mode::anthropic_json);
    auto b = api->parse_batch(json::parse(R"({"id":"msgbatch_1","type":"message_batch",
        "processing_status":"ended","results_url":"https://elsewhere.example/steal",
        "request_counts":{"processing":0,"succeeded":5,"errored":1,"canceled":2,"expired":1}})"));
    EXPECT_EQ(b.total, 9u);
    EXPECT_EQ(b.completed, 5u);
    EXPECT_EQ(b.failed, 4u);
    EXPECT_TRUE(b.terminal());
    auto files = api->results(endpoint(), b);
    ASSERT_EQ(files.size(), 1u);
    // Read below the client's base URL, never where the server points.
    EXPECT_EQ(files[0].url, "https://api.example.com/v1/messages/batches/msgbatch_1/results");
    b.status = "in_progress";
    EXPECT_TRUE(api->results(endpoint(), b).empty());

    auto ok = api->parse_result(R"({"custom_id":"a","result":{"type":"succeeded","message":{"id":"msg"}}})");
    EXPECT_FALSE(ok.failure);
    EXPECT_EQ(ok.response.at("id"), "msg");
    auto errored = api->parse_result(
        R"({"custom_id":"b","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error","message":"bad"}}}})");
    ASSERT_TRUE(errored.failure);
    EXPECT_EQ(errored.failure->code_enum(), ins::errc::bad_request);
    EXPECT_EQ(errored.failure->provider_message, "bad");
    EXPECT_EQ(api->parse_result(R"({"custom_id":"c","result":{"type":"canceled"}})").failure->code_enum(),
              ins::errc::cancelled);
    EXPECT_EQ(api->parse_result(R"({"custom_id":"d","result":{"type":"expired"}})").failure->code_enum(),
              ins::errc::timeout);
    EXPECT_EQ(code_of([&] { (void)api->parse_result(R"({"custom_id":"e","result":{"type":"new"}})"); }),
              ins::errc::protocol_error);
    EXPECT_EQ(code_of([&] { (void)api->parse_result(R"({"custom_id":"f","result":{"type":"succeeded"}})"); }),
              ins::errc::protocol_error);
    ins::list_options lo;
    lo.after = "msgbatch_1";
    EXPECT_EQ(api->list(endpoint(), lo).url,
              "https://api.example.com/v1/messages/batches?limit=20&after_id=msgbatch_1");
}

TEST(OpenAIBatches, AKeyInALineIsRedactedBeforeItsTextIsCut)
{
    // The key straddles the cuts: 120 bytes of a line that does not parse, 300 of a body
    // that is not an error object.
    auto api = api_of(ins::mode::tools);
    std::string const key = "sk-unit-batch-key";
    auto const not_json = std::string(110, 'x') + key + " trailing";
    try {
        (void)api->parse_result(not_json);
        ADD_FAILURE() << "a line that is not JSON was read";
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code_enum(), ins::errc::protocol_error);
        EXPECT_EQ(std::string(e.what()).find("sk-unit"), std::string::npos) << e.what();
    }
    json::object line{{"custom_id", "0"},
                      {"response", json::object{{"status_code", 401},
                                                {"body", std::string(290, 'y') + key}}}};
    auto r = api->parse_result(json::serialize(line));
    ASSERT_TRUE(r.failure);
    EXPECT_EQ(std::string(r.failure->what()).find("sk-unit"), std::string::npos)
        << r.failure->what();
    EXPECT_EQ(r.failure->provider_message.find("sk-unit"), std::string::npos);
}

}  // namespace batch_protocol_test
