// Batches end to end against the mock's Files, Batches and Message Batches: each line's body is
// the interactive call's, results decode into T with their issues and the provider's errors,
// the retry pass re-asks what did not validate, and waiting, cancelling, listing and every
// refusal before upload work as documented.
#include "async_test.hpp"
#include "mock_client.hpp"
#include "models.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

namespace batch_test {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace models;
using namespace std::chrono_literals;
using instructor::testing::mock_options;
using instructor::testing::mock_reply;
using instructor::testing::mock_server;

namespace {

constexpr char const* key = "sk-batch-test-key-0123";

ins::client_options options_for(mock_server const& m, ins::mode mode = ins::mode::tools)
{
    return test::mock_options(m, mode, key);
}

using test::people;

template <class Body>
std::optional<ins::error> with_client(ins::client_options const& o, Body body)
{
    return test::with<ins::client>(o, std::move(body));
}

template <class T>
asio::awaitable<std::vector<ins::batch_result<T>>> drain(ins::stream<ins::batch_result<T>> s)
{
    std::vector<ins::batch_result<T>> out;
    while (auto r = co_await s.next())
        out.push_back(std::move(*r));
    co_return out;
}

/// The JSONL file of an upload (the multipart part named "file").
std::vector<json::object> uploaded_lines(ins::testing::recorded_request const& upload)
{
    auto const& body = upload.body;
    auto const start = body.find("filename=\"batch.jsonl\"");
    auto const data = body.find("\r\n\r\n", start) + 4;
    auto const end = body.find("\r\n--", data);
    std::vector<json::object> lines;
    std::string_view rest(body.data() + data, end - data);
    while (!rest.empty()) {
        auto const lf = rest.find('\n');
        lines.push_back(json::parse(rest.substr(0, lf)).as_object());
        rest = lf == std::string_view::npos ? std::string_view() : rest.substr(lf + 1);
    }
    return lines;
}

/// A quote that must occur in the request's source text (validators read request::context).

std::size_t count_requests(mock_server const& m, std::string_view method, std::string_view target)
{
    std::size_t n = 0;
    for (auto const& r : m.requests())
        n += r.method == method && r.target == target;
    return n;
}

/// A finished OpenAI batch whose results are in file-1 (the reply a test pushes next).
ins::batch completed_batch(std::size_t total = 0)
{
    ins::batch b;
    b.id = "batch_1";
    b.status = "completed";
    b.output_file_id = "file-1";
    b.total = total;
    return b;
}

std::optional<ins::testing::recorded_request> find_request(mock_server const& m,
                                                          std::string_view method,
                                                          std::string_view target)
{
    for (auto const& r : m.requests())
        if (r.method == method && r.target == target)
            return r;
    return std::nullopt;
}

}  // namespace

TEST(Batch, OpenAILinesAreTheCallsBodiesAndResultsDecode)
{
    mock_server m;
    auto reqs = people(3);
    json::value interactive;  // what create<T> sends for request 0
    std::vector<ins::batch_result<UserInfo>> results;
    ins::batch b;
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto first = reqs[0];
        first.call_hooks.on(ins::hook::completion_kwargs,
                            [&](ins::hook_event const& e) { interactive = *e.request_body; });
        (void)co_await c.create<UserInfo>(first);
        b = co_await c.create_batch<UserInfo>(reqs);
        b = co_await c.wait_batch(b.id);
        results = co_await drain(c.batch_results<UserInfo>(b));
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(b.status, "completed");
    EXPECT_EQ(b.total, 3u);
    EXPECT_EQ(b.completed, 3u);
    EXPECT_EQ(b.endpoint, "/v1/chat/completions");
    ASSERT_TRUE(b.mode);
    EXPECT_EQ(*b.mode, ins::mode::tools);

    auto upload = find_request(m, "POST", "/v1/files");
    ASSERT_TRUE(upload);
    EXPECT_NE(upload->body.find("name=\"purpose\"\r\n\r\nbatch\r\n"), std::string::npos);
    auto lines = uploaded_lines(*upload);
    ASSERT_EQ(lines.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(lines[i].at("custom_id"), json::value(std::to_string(i)));
        EXPECT_EQ(lines[i].at("method"), "POST");
        EXPECT_EQ(lines[i].at("url"), "/v1/chat/completions");
    }
    EXPECT_EQ(json::value(lines[0].at("body")), interactive);

    auto create = find_request(m, "POST", "/v1/batches");
    ASSERT_TRUE(create);
    auto cb = json::parse(create->body).as_object();
    EXPECT_EQ(cb.at("endpoint"), "/v1/chat/completions");
    EXPECT_EQ(cb.at("completion_window"), "24h");
    EXPECT_EQ(cb.at("metadata").at("instructor_mode"), "tools");
    EXPECT_TRUE(cb.at("input_file_id").as_string().starts_with("file-"));

    ASSERT_EQ(results.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(results[i].custom_id, std::to_string(i));
        ASSERT_TRUE(results[i].value) << (results[i].error ? results[i].error->what() : "issues");
        EXPECT_FALSE(results[i].value->name.empty());
        EXPECT_FALSE(results[i].error);
        EXPECT_TRUE(results[i].issues.empty());
    }
    // The key went in the Authorization header of every batch request, nowhere else.
    for (auto const& r : m.requests()) {
        EXPECT_EQ(r.body.find(key), std::string::npos) << r.target;
        EXPECT_EQ(*ins::net::find_header(r.headers, "authorization"), std::string("Bearer ") + key);
    }
}

TEST(Batch, FailedAndInvalidLinesThenTheRetryPass)
{
    mock_options mo;
    mo.batch_fail_ids = {"1"};
    mo.batch_invalid_ids = {"2", "3"};
    mock_server m(mo);
    auto reqs = people(4);
    reqs[3].max_retries = 0;  // asks for no re-ask
    std::vector<ins::batch_result<UserInfo>> first, merged;
    std::optional<ins::batch> second;
    ins::batch b;
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        b = co_await c.create_batch<UserInfo>(reqs);
        first = co_await drain(c.batch_results<UserInfo>(b));
        second = co_await c.retry_batch_failures<UserInfo>(b, reqs);
        if (second)
            second = co_await c.wait_batch(second->id);
        merged = co_await drain(c.merged_batch_results<UserInfo>(b, second));
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(b.completed, 3u);
    EXPECT_EQ(b.failed, 1u);
    // OpenAI: the output file's lines, then the error file's.
    ASSERT_EQ(first.size(), 4u);
    std::map<std::string, ins::batch_result<UserInfo>> by_id;
    for (auto& r : first)
        by_id[r.custom_id] = r;
    EXPECT_TRUE(by_id["0"].value);
    ASSERT_TRUE(by_id["1"].error);
    EXPECT_EQ(by_id["1"].error->code_enum(), ins::errc::server_error);
    EXPECT_EQ(by_id["1"].error->http_status, 500);
    EXPECT_EQ(by_id["1"].error->provider_message, "mock: this request failed");
    EXPECT_FALSE(by_id["2"].value);
    EXPECT_FALSE(by_id["2"].error);
    EXPECT_FALSE(by_id["2"].issues.empty());
    EXPECT_FALSE(by_id["3"].issues.empty());

    // Only line 2 is re-asked: 1 failed at the provider, 3 asks for no re-ask.
    ASSERT_TRUE(second);
    EXPECT_EQ(second->total, 1u);
    auto uploads = m.requests();
    std::vector<ins::testing::recorded_request> files;
    for (auto const& r : uploads)
        if (r.method == "POST" && r.target == "/v1/files")
            files.push_back(r);
    ASSERT_EQ(files.size(), 2u);
    auto retry_lines = uploaded_lines(files[1]);
    ASSERT_EQ(retry_lines.size(), 1u);
    EXPECT_EQ(retry_lines[0].at("custom_id"), "2");
    auto const& msgs = retry_lines[0].at("body").at("messages").as_array();
    // The request's message, the model's answer (a tool call), its result with the errors.
    ASSERT_GE(msgs.size(), 3u);
    EXPECT_EQ(msgs[1].at("role"), "assistant");
    auto const errors_text = json::serialize(msgs.back());
    EXPECT_NE(errors_text.find("name"), std::string::npos) << errors_text;

    ASSERT_EQ(merged.size(), 4u);
    for (auto& r : merged)
        by_id[r.custom_id] = r;
    ASSERT_TRUE(by_id["2"].value);
    EXPECT_EQ(by_id["2"].attempt, 2);
    EXPECT_TRUE(by_id["0"].value);
    EXPECT_EQ(by_id["0"].attempt, 1);
    EXPECT_TRUE(by_id["1"].error);
    EXPECT_FALSE(by_id["3"].value);
}

TEST(Batch, ResponsesModeLinesGoToTheResponsesEndpoint)
{
    mock_server m;
    auto reqs = people(2);
    std::vector<ins::batch_result<UserInfo>> results;
    auto err = with_client(options_for(m, ins::mode::responses_tools),
                           [&](ins::client& c) -> asio::awaitable<void> {
                               auto b = co_await c.create_batch<UserInfo>(reqs);
                               EXPECT_EQ(b.endpoint, "/v1/responses");
                               b = co_await c.wait_batch(b.id);
                               results = co_await drain(c.batch_results<UserInfo>(b));
                           });
    ASSERT_FALSE(err) << err->what();
    auto lines = uploaded_lines(*find_request(m, "POST", "/v1/files"));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].at("url"), "/v1/responses");
    EXPECT_TRUE(lines[0].at("body").as_object().contains("input"));
    ASSERT_EQ(results.size(), 2u);
    EXPECT_TRUE(results[0].value);
    EXPECT_TRUE(results[1].value);
}

TEST(Batch, AnthropicMessageBatchesEndToEnd)
{
    mock_options mo;
    mo.batch_fail_ids = {"b"};
    mo.batch_invalid_ids = {"c"};
    mock_server m(mo);
    auto reqs = people(3);
    ins::batch_options bo;
    bo.custom_ids = {"a", "b", "c"};
    json::value interactive;
    std::vector<ins::batch_result<UserInfo>> first, merged;
    std::optional<ins::batch> second;
    ins::batch b;
    auto err = with_client(options_for(m, ins::mode::anthropic_tools),
                           [&](ins::client& c) -> asio::awaitable<void> {
                               auto r0 = reqs[0];
                               r0.call_hooks.on(ins::hook::completion_kwargs,
                                                [&](ins::hook_event const& e) {
                                                    interactive = *e.request_body;
                                                });
                               (void)co_await c.create<UserInfo>(r0);
                               b = co_await c.create_batch<UserInfo>(reqs, bo);
                               b = co_await c.wait_batch(b.id);
                               first = co_await drain(c.batch_results<UserInfo>(b));
                               second = co_await c.retry_batch_failures<UserInfo>(b, reqs, bo);
                               merged = co_await drain(c.merged_batch_results<UserInfo>(b, second));
                           });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(b.status, "ended");
    EXPECT_EQ(b.total, 3u);
    EXPECT_EQ(b.completed, 2u);
    EXPECT_EQ(b.failed, 1u);
    auto create = find_request(m, "POST", "/v1/messages/batches");
    ASSERT_TRUE(create);
    EXPECT_EQ(*ins::net::find_header(create->headers, "x-api-key"), key);
    EXPECT_TRUE(ins::net::find_header(create->headers, "anthropic-version"));
    auto const body = json::parse(create->body).as_object();
    auto const& items = body.at("requests").as_array();
    ASSERT_EQ(items.size(), 3u);
    EXPECT_EQ(items[0].at("custom_id"), "a");
    EXPECT_EQ(items[0].at("params"), interactive);
    ASSERT_TRUE(find_request(m, "GET", "/v1/messages/batches/" + b.id + "/results"));
    // The URL the mock hands out is its own: an SDK follows it as given.
    EXPECT_EQ(b.results_url, m.base_url() + "/messages/batches/" + b.id + "/results");

    ASSERT_EQ(first.size(), 3u);
    EXPECT_TRUE(first[0].value);
    ASSERT_TRUE(first[1].error);
    EXPECT_EQ(first[1].error->code_enum(), ins::errc::server_error);
    EXPECT_FALSE(first[2].issues.empty());
    ASSERT_TRUE(second);
    EXPECT_EQ(second->total, 1u);
    ASSERT_EQ(merged.size(), 3u);
    EXPECT_EQ(merged[2].custom_id, "c");
    EXPECT_TRUE(merged[2].value);
    EXPECT_EQ(merged[2].attempt, 2);
}

TEST(Batch, WaitReportsProgressAndHonoursItsDeadline)
{
    mock_options mo;
    mo.batch_delay = 300ms;
    mock_server m(mo);
    auto reqs = people(1);
    std::vector<std::string> seen;
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto b = co_await c.create_batch<UserInfo>(reqs);
        EXPECT_EQ(b.status, "in_progress");
        ins::wait_options wo;
        wo.first_poll = 20ms;
        wo.max_poll = 80ms;
        wo.on_progress = [&](ins::batch const& x) { seen.push_back(x.status); };
        b = co_await c.wait_batch(b.id, wo);
        EXPECT_EQ(b.status, "completed");
    });
    ASSERT_FALSE(err) << err->what();
    ASSERT_GE(seen.size(), 2u);
    EXPECT_EQ(seen.front(), "in_progress");
    EXPECT_EQ(seen.back(), "completed");

    mock_options slow;
    slow.batch_delay = 60s;
    mock_server m2(slow);
    err = with_client(options_for(m2), [&](ins::client& c) -> asio::awaitable<void> {
        auto b = co_await c.create_batch<UserInfo>(reqs);
        ins::wait_options wo;
        wo.first_poll = 10ms;
        wo.deadline = std::chrono::steady_clock::now() + 100ms;
        (void)co_await c.wait_batch(b.id, wo);
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code_enum(), ins::errc::timeout);
}

TEST(Batch, AWaitOfMillisecondsMaxPollsOnlyAtItsDeadline)
{
    // milliseconds::max() saturates ("never"): the wait sleeps until the deadline, not an
    // overflowed negative wait that polls in a loop.
    mock_options slow;
    slow.batch_delay = 60s;
    mock_server m(slow);
    auto reqs = people(1);
    std::string id;
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto b = co_await c.create_batch<UserInfo>(reqs);
        id = b.id;
        ins::wait_options wo;
        wo.first_poll = std::chrono::milliseconds::max();
        wo.max_poll = std::chrono::milliseconds::max();
        wo.deadline = std::chrono::steady_clock::now() + 200ms;
        (void)co_await c.wait_batch(b.id, wo);
    });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code_enum(), ins::errc::timeout);
    // One poll at once, one at the deadline.
    EXPECT_LE(count_requests(m, "GET", "/v1/batches/" + id), 2u);
}

TEST(Batch, CancellingTheWaitStopsPolling)
{
    mock_options slow;
    slow.batch_delay = 60s;
    mock_server m(slow);
    auto reqs = people(1);
    asio::io_context ioc;
    ins::client c(ioc.get_executor(), options_for(m));
    std::optional<ins::errc> code;
    std::string id;
    asio::cancellation_signal cancel;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            auto b = co_await c.create_batch<UserInfo>(reqs);
            id = b.id;
            ins::wait_options wo;
            wo.first_poll = 10s;
            (void)co_await c.wait_batch(b.id, wo);
        },
        asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e) {
            try {
                if (e)
                    std::rethrow_exception(e);
            }
            catch (ins::error const& err) {
                code = err.code_enum();
            }
        }));
    asio::steady_timer t(ioc, 300ms);
    t.async_wait([&](auto) { cancel.emit(asio::cancellation_type::terminal); });
    ioc.run_for(5s);
    EXPECT_FALSE(id.empty());
    EXPECT_EQ(code, ins::errc::cancelled);
}

TEST(Batch, CancelListAndResultsOfACancelledBatch)
{
    mock_options slow;
    slow.batch_delay = 60s;
    mock_server m(slow);
    auto reqs = people(2);
    std::vector<ins::batch_result<UserInfo>> results;
    ins::batch_page page1, page2;
    std::vector<std::string> ids;
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        for (int i = 0; i < 3; ++i)
            ids.push_back((co_await c.create_batch<UserInfo>(reqs)).id);
        auto b = co_await c.cancel_batch(ids[0]);
        EXPECT_EQ(b.status, "cancelled");
        b = co_await c.retrieve_batch(ids[0]);
        EXPECT_TRUE(b.terminal());
        results = co_await drain(c.batch_results<UserInfo>(b));
        ins::list_options lo;
        lo.limit = 2;
        page1 = co_await c.list_batches(lo);
        lo.after = page1.last_id;
        page2 = co_await c.list_batches(lo);
    });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(results.size(), 2u);
    for (auto const& r : results) {
        ASSERT_TRUE(r.error);
        EXPECT_EQ(r.error->code_enum(), ins::errc::cancelled);
    }
    ASSERT_EQ(page1.batches.size(), 2u);
    EXPECT_TRUE(page1.has_more);
    EXPECT_EQ(page1.batches[0].id, ids[2]);  // newest first
    ASSERT_EQ(page2.batches.size(), 1u);
    EXPECT_EQ(page2.batches[0].id, ids[0]);
    EXPECT_FALSE(page2.has_more);
}

TEST(Batch, BadBatchesAreRefusedBeforeAnyUpload)
{
    mock_server m;
    auto code_of = [&](ins::client_options const& o, auto body) -> std::optional<ins::errc> {
        auto e = with_client(o, std::move(body));
        return e ? std::optional(e->code_enum()) : std::nullopt;
    };
    auto const o = options_for(m);
    std::vector<ins::request> none;
    EXPECT_EQ(code_of(o, [&](ins::client& c) -> asio::awaitable<void> {
                  (void)co_await c.create_batch<UserInfo>(none);
              }),
              ins::errc::invalid_argument);
    auto two = people(2);
    ins::batch_options dup;
    dup.custom_ids = {"x", "x"};
    EXPECT_EQ(code_of(o, [&](ins::client& c) -> asio::awaitable<void> {
                  (void)co_await c.create_batch<UserInfo>(two, dup);
              }),
              ins::errc::invalid_argument);
    ins::batch_options short_ids;
    short_ids.custom_ids = {"x"};
    EXPECT_EQ(code_of(o, [&](ins::client& c) -> asio::awaitable<void> {
                  (void)co_await c.create_batch<UserInfo>(two, short_ids);
              }),
              ins::errc::invalid_argument);
    auto mixed = people(2);
    mixed[1].mode = ins::mode::json;
    EXPECT_EQ(code_of(o, [&](ins::client& c) -> asio::awaitable<void> {
                  (void)co_await c.create_batch<UserInfo>(mixed);
              }),
              ins::errc::invalid_argument);
    ins::batch_options bad_md;
    bad_md.metadata["n"] = 3;
    EXPECT_EQ(code_of(o, [&](ins::client& c) -> asio::awaitable<void> {
                  (void)co_await c.create_batch<UserInfo>(two, bad_md);
              }),
              ins::errc::invalid_argument);
    ins::batch_options spaced;
    spaced.custom_ids = {"a b", "c"};
    EXPECT_EQ(code_of(options_for(m, ins::mode::anthropic_tools),
                      [&](ins::client& c) -> asio::awaitable<void> {
                          (void)co_await c.create_batch<UserInfo>(two, spaced);
                      }),
              ins::errc::invalid_argument);
    // One past OpenAI's 50,000 lines.
    std::vector<ins::request> many(ins::batch_limits_for(ins::mode::tools).max_lines + 1,
                                   people(1)[0]);
    EXPECT_EQ(code_of(o, [&](ins::client& c) -> asio::awaitable<void> {
                  (void)co_await c.create_batch<UserInfo>(many);
              }),
              ins::errc::invalid_argument);
    // An id that is not one cannot reach a URL.
    EXPECT_EQ(code_of(o, [&](ins::client& c) -> asio::awaitable<void> {
                  (void)co_await c.retrieve_batch("../files/file-1");
              }),
              ins::errc::invalid_argument);
    // Results of a batch still running.
    ins::batch running;
    running.id = "batch_1";
    running.status = "in_progress";
    EXPECT_EQ(code_of(o, [&](ins::client& c) -> asio::awaitable<void> {
                  (void)co_await drain(c.batch_results<UserInfo>(running));
              }),
              ins::errc::invalid_argument);
    EXPECT_TRUE(m.requests().empty());
}

TEST(Batch, HostileServersGetTypedErrors)
{
    mock_server m;
    auto const done = completed_batch();
    auto code_of = [&](mock_reply reply, auto body) -> std::optional<ins::errc> {
        m.push(std::move(reply));
        auto e = with_client(options_for(m), std::move(body));
        return e ? std::optional(e->code_enum()) : std::nullopt;
    };
    auto read_results = [&](ins::client& c) -> asio::awaitable<void> {
        (void)co_await drain(c.batch_results<UserInfo>(done));
    };
    auto chunked = [](std::string body) {
        mock_reply r;
        r.body = std::move(body);
        r.chunk_size = 7;
        return r;
    };
    EXPECT_EQ(code_of(chunked("not json\n"), read_results), ins::errc::protocol_error);
    EXPECT_EQ(code_of(chunked("{\"response\":{}}\n"), read_results), ins::errc::protocol_error);
    EXPECT_EQ(code_of(chunked("[1,2]\n"), read_results), ins::errc::protocol_error);
    // A line longer than max_body_bytes is never held whole.
    {
        auto o = options_for(m);
        o.transport.max_body_bytes = 4096;
        m.push(chunked("{\"custom_id\":\"0\",\"x\":\"" + std::string(100'000, 'a') + "\"}\n"));
        auto e = with_client(o, read_results);
        ASSERT_TRUE(e);
        EXPECT_EQ(e->code_enum(), ins::errc::response_too_large);
    }
    // A 2xx line whose body is not the API's response: that line fails, the others decode.
    std::vector<ins::batch_result<UserInfo>> got;
    m.push(chunked(R"({"custom_id":"0","response":{"status_code":200,"body":{"foo":1}},"error":null})"
                   "\r\n\n" +
                   json::serialize(json::object{
                       {"custom_id", "1"},
                       {"response",
                        json::object{{"status_code", 200},
                                     {"body", json::parse(mock_reply::chat_tool_call(
                                                              "UserInfo", R"({"name":"A","age":3})")
                                                              .body)}}}})));
    auto e = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        got = co_await drain(c.batch_results<UserInfo>(done));
    });
    ASSERT_FALSE(e) << e->what();
    ASSERT_EQ(got.size(), 2u);
    ASSERT_TRUE(got[0].error);
    EXPECT_EQ(got[0].error->code_enum(), ins::errc::protocol_error);
    ASSERT_TRUE(got[1].value);  // a last line without its line end
    EXPECT_EQ(got[1].value->age, 3);

    EXPECT_EQ(code_of(mock_reply::error(404, "No batch"),
                      [&](ins::client& c) -> asio::awaitable<void> {
                          (void)co_await c.retrieve_batch("batch_404");
                      }),
              ins::errc::not_found);
    EXPECT_EQ(code_of(mock_reply::json(R"({"id":"batch_1"})"),
                      [&](ins::client& c) -> asio::awaitable<void> {
                          (void)co_await c.retrieve_batch("batch_1");
                      }),
              ins::errc::protocol_error);
    // The upload answers without a file id.
    auto one = people(1);
    EXPECT_EQ(code_of(mock_reply::json(R"({"object":"file"})"),
                      [&](ins::client& c) -> asio::awaitable<void> {
                          (void)co_await c.create_batch<UserInfo>(one);
                      }),
              ins::errc::protocol_error);
}

TEST(Batch, AnthropicBatchesKeepTheirModeWhenWaitedOnAsABatch)
{
    // Anthropic keeps no metadata: a batch whose requests override the client's mode decodes in
    // that mode when the batch (not its id) is waited on.
    mock_server m;
    auto reqs = people(2);
    for (auto& r : reqs)
        r.mode = ins::mode::anthropic_json;
    std::vector<ins::batch_result<UserInfo>> kept, by_id;
    auto err = with_client(options_for(m, ins::mode::anthropic_tools),
                           [&](ins::client& c) -> asio::awaitable<void> {
                               auto b = co_await c.create_batch<UserInfo>(reqs);
                               EXPECT_EQ(b.mode, ins::mode::anthropic_json);
                               auto waited = co_await c.wait_batch(b);
                               EXPECT_EQ(waited.mode, ins::mode::anthropic_json);
                               kept = co_await drain(c.batch_results<UserInfo>(waited));
                               auto bare = co_await c.retrieve_batch(b.id);
                               EXPECT_FALSE(bare.mode);
                               by_id = co_await drain(c.batch_results<UserInfo>(bare));
                           });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_TRUE(kept[0].value);
    EXPECT_TRUE(kept[1].value);
    ASSERT_EQ(by_id.size(), 2u);  // read as tool calls: the JSON answers are not one
    EXPECT_FALSE(by_id[0].value);
}

TEST(Batch, TheRetryPassJudgesEachLineWithItsRequestsContext)
{
    mock_server m;
    auto reqs = people(3);
    reqs[0].context["source"] = "this holds an example of a quote";  // the mock quotes "example"
    reqs[1].context["source"] = "nothing to quote here";
    std::vector<ins::batch_result<Quote>> first;
    std::optional<ins::batch> second;
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto b = co_await c.create_batch<Quote>(reqs);
        first = co_await drain(c.batch_results<Quote>(b));
        second = co_await c.retry_batch_failures<Quote>(b, reqs);
    });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(first.size(), 3u);
    for (auto const& r : first)  // batch_results has no context: no source to check against
        EXPECT_FALSE(r.issues.empty()) << r.custom_id;
    ASSERT_TRUE(second);
    EXPECT_EQ(second->total, 2u);  // request 0's quote occurs in its source: not re-asked
    std::vector<ins::testing::recorded_request> uploads;
    for (auto const& r : m.requests())
        if (r.target == "/v1/files")
            uploads.push_back(r);
    ASSERT_EQ(uploads.size(), 2u);
    auto lines = uploaded_lines(uploads[1]);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].at("custom_id"), "1");
    EXPECT_EQ(lines[1].at("custom_id"), "2");
}

TEST(Batch, TheCreateCallIsNeverSentTwice)
{
    // The upload is retried on a 503; the call that creates the batch is not (a lost answer
    // may have made a batch already).
    mock_server m;
    m.push(mock_reply::error(503, "busy"));
    m.push(mock_reply::json(R"({"id":"file-77","object":"file"})"));
    m.push(mock_reply::error(503, "busy"));
    auto reqs = people(1);
    auto e = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        (void)co_await c.create_batch<UserInfo>(reqs);
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code_enum(), ins::errc::server_error);
    EXPECT_EQ(count_requests(m, "POST", "/v1/files"), 2u);
    EXPECT_EQ(count_requests(m, "POST", "/v1/batches"), 1u);
}

TEST(Batch, AProgressCallbacksExceptionPropagatesAsItIs)
{
    mock_options mo;
    mo.batch_delay = 60s;
    mock_server m(mo);
    auto reqs = people(1);
    bool caught = false;
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        ins::client c(ex, options_for(m));
        auto b = co_await c.create_batch<UserInfo>(reqs);
        ins::wait_options wo;
        wo.on_progress = [](ins::batch const&) { throw std::out_of_range("the caller's own"); };
        try {
            (void)co_await c.wait_batch(b.id, wo);
        }
        catch (std::out_of_range const& e) {
            caught = std::string_view(e.what()) == "the caller's own";
        }
    });
    EXPECT_TRUE(caught);
}

TEST(Batch, ResultsThatDoNotEndAreCutOff)
{
    mock_server m;
    auto const done = completed_batch(2);
    auto code_of = [&](std::string body) -> std::optional<ins::errc> {
        mock_reply r;
        r.body = std::move(body);
        r.chunk_size = 100;
        m.push(std::move(r));
        auto o = options_for(m);
        o.transport.max_body_bytes = 1000;
        auto e = with_client(o, [&](ins::client& c) -> asio::awaitable<void> {
            (void)co_await drain(c.batch_results<UserInfo>(done));
        });
        return e ? std::optional(e->code_enum()) : std::nullopt;
    };
    auto const line = json::serialize(json::object{
        {"custom_id", "0"},
        {"response", json::object{{"status_code", 200},
                                  {"body", json::parse(mock_reply::chat_tool_call(
                                                           "UserInfo", R"({"name":"A","age":3})")
                                                           .body)}}}});
    EXPECT_FALSE(code_of(line + "\n" + line + "\n"));
    // More lines than the batch has requests.
    EXPECT_EQ(code_of(line + "\n" + line + "\n" + line + "\n"), ins::errc::protocol_error);
    // Line ends and nothing else.
    EXPECT_EQ(code_of(std::string(5000, '\n')), ins::errc::protocol_error);
    // A batch that failed at the provider has no results.
    ins::batch failed;
    failed.id = "batch_2";
    failed.status = "failed";
    failed.failure = "line 1 is not JSON";
    auto e = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        (void)co_await drain(c.batch_results<UserInfo>(failed));
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code_enum(), ins::errc::bad_request);
    EXPECT_NE(std::string(e->what()).find("line 1 is not JSON"), std::string::npos);
}

TEST(Batch, ResultsAreBoundedByTheLinesSubmittedNotTheServersCounts)
{
    mock_server m;
    auto reqs = people(2);
    auto const line = [](std::string id) {
        return json::serialize(json::object{
                   {"custom_id", id},
                   {"response", json::object{{"status_code", 200},
                                             {"body", json::parse(mock_reply::chat_tool_call(
                                                          "UserInfo", R"({"name":"A","age":3})")
                                                          .body)}}}}) +
               "\n";
    };
    ins::batch first, second;
    auto err = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        first = co_await c.create_batch<UserInfo>(reqs);
        EXPECT_EQ(first.submitted, 2u);
        first = co_await c.wait_batch(first);  // carried over, as the mode is
        EXPECT_EQ(first.submitted, 2u);
        EXPECT_EQ((co_await c.retrieve_batch(first)).submitted, 2u);
        EXPECT_EQ((co_await c.retrieve_batch(first.id)).submitted, 0u);  // not known from an id
    });
    ASSERT_FALSE(err) << err->what();
    // A server that says the batch holds a million requests and sends a line more than it was
    // given.
    first.total = 1'000'000;
    second = completed_batch(1'000'000);
    second.id = "batch_2";
    second.submitted = 1;  // one line re-asked
    auto code_of = [&](std::string body, auto read) -> std::optional<ins::error> {
        mock_reply r;
        r.body = std::move(body);
        m.push(std::move(r));
        return with_client(options_for(m), read);
    };
    auto e = code_of(line("0") + line("1") + line("0"), [&](ins::client& c) -> asio::awaitable<void> {
        (void)co_await drain(c.batch_results<UserInfo>(first));
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code_enum(), ins::errc::protocol_error);
    EXPECT_NE(std::string(e->what()).find("than its 2 requests"), std::string::npos) << e->what();
    e = code_of(line("0") + line("1"), [&](ins::client& c) -> asio::awaitable<void> {
        (void)co_await drain(c.merged_batch_results<UserInfo>(first, second));
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code_enum(), ins::errc::protocol_error);
    EXPECT_NE(std::string(e->what()).find("than its 1 requests"), std::string::npos) << e->what();
}

TEST(Batch, AKeyTheServerEchoesIsRedactedFromEveryBatchError)
{
    // Line errors of both APIs, a line that does not parse, a batch's failure reason: each
    // echoes the key, none shows it.
    mock_server m;
    std::string const k = key;
    auto const clean = [&](ins::error const& e) {
        EXPECT_EQ(std::string(e.what()).find(k), std::string::npos) << e.what();
        EXPECT_EQ(e.provider_message.find(k), std::string::npos) << e.provider_message;
    };
    auto const pushed = [&](std::string body) {
        mock_reply r;
        r.body = std::move(body);
        m.push(std::move(r));
    };
    std::vector<ins::batch_result<UserInfo>> got;
    auto read = [&](ins::client_options o, ins::batch const& b) {
        got.clear();
        return with_client(o, [&](ins::client& c) -> asio::awaitable<void> {
            auto s = c.batch_results<UserInfo>(b);
            while (auto r = co_await s.next())
                got.push_back(std::move(*r));
        });
    };
    // OpenAI: an error line, a failed request whose body echoes the key, then a line that is
    // not JSON.
    pushed(json::serialize(json::object{
               {"custom_id", "0"},
               {"error", json::object{{"code", "batch_expired"}, {"message", "key " + k}}}}) +
           "\n" +
           json::serialize(json::object{
               {"custom_id", "1"},
               {"response", json::object{{"status_code", 401},
                                         {"body", json::object{{"error", json::object{
                                                      {"message", "Incorrect API key " + k}}}}}}}}) +
           "\n" + "not json " + k + "\n");
    auto e = read(options_for(m), completed_batch());
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code_enum(), ins::errc::protocol_error);
    clean(*e);
    ASSERT_EQ(got.size(), 2u);
    for (auto const& r : got) {
        ASSERT_TRUE(r.error);
        clean(*r.error);
    }
    EXPECT_EQ(got[1].error->code_enum(), ins::errc::authentication_failed);
    // Anthropic: an errored line.
    ins::batch ended;
    ended.id = "msgbatch_1";
    ended.status = "ended";
    pushed(json::serialize(json::object{
               {"custom_id", "a"},
               {"result", json::object{{"type", "errored"},
                                       {"error", json::object{{"type", "invalid_request_error"},
                                                              {"message", "bad " + k}}}}}}) +
           "\n");
    e = read(options_for(m, ins::mode::anthropic_tools), ended);
    ASSERT_FALSE(e) << e->what();
    ASSERT_EQ(got.size(), 1u);
    ASSERT_TRUE(got[0].error);
    clean(*got[0].error);
    // A batch's failure, as retrieved, and as the error its results give.
    m.push(mock_reply::json(R"({"id":"batch_3","status":"failed","errors":{"data":[{"message":"the key )" +
                            k + R"( is not allowed"}]}})"));
    ins::batch failed;
    e = with_client(options_for(m), [&](ins::client& c) -> asio::awaitable<void> {
        failed = co_await c.retrieve_batch("batch_3");
    });
    ASSERT_FALSE(e) << e->what();
    EXPECT_EQ(failed.failure.find(k), std::string::npos) << failed.failure;
    EXPECT_NE(failed.failure.find("[redacted]"), std::string::npos) << failed.failure;
    failed.failure = "the key " + k + " is not allowed";  // as a batch kept from elsewhere
    e = read(options_for(m), failed);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code_enum(), ins::errc::bad_request);
    clean(*e);
}

}  // namespace batch_test
