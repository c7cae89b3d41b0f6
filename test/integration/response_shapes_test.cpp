// Answers that are not models (API.md, "Response shapes beyond structs"): a number, a string,
// a bool, an enum, a list, a map, one of several models, wrapped on the wire as the `Response`
// model with one `content` property, in every mode of every API; calls, streams, re-asks with
// paths under `content`, and batches. Against the mock endpoint over loopback.
#include "async_test.hpp"
#include "mock_client.hpp"
#include "models.hpp"
#include "reply_forms.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

namespace response_shapes_test {

namespace asio = boost::asio;
namespace json = boost::json;
using instructor::testing::mock_reply;
using instructor::testing::mock_server;
using namespace models;

namespace {

constexpr ins::mode every_mode[] = {
    ins::mode::tools,           ins::mode::json_schema,    ins::mode::md_json,
    ins::mode::json,            ins::mode::anthropic_tools, ins::mode::anthropic_json,
    ins::mode::responses_tools, ins::mode::responses_structured_outputs};

ins::client_options options_for(mock_server const& m, ins::mode mode)
{
    auto o = test::mock_options(m, mode);
    if (ins::is_anthropic_mode(mode))
        o.default_model = "claude-3-5-haiku-latest";
    return o;
}

/// `content_json` as the `Response` answer of `mode`'s API (whole, or streamed).
mock_reply scripted(ins::mode mode, std::string const& content_json, bool stream = false)
{
    auto f = reply_forms::of(mode, "Response", R"({"content": )" + content_json + "}", 5);
    if (!stream)
        return mock_reply::json(f->whole);
    mock_reply r;
    r.content_type = "text/event-stream";
    r.body = f->stream;
    r.chunk_size = 16;
    return r;
}

template <class T, class Check>
void call_in_every_mode(std::string const& content_json, Check check)
{
    for (auto mode : every_mode) {
        SCOPED_TRACE(std::string(ins::to_string(mode)));
        mock_server m;
        m.push(scripted(mode, content_json));
        T got{};
        auto err = test::with<ins::client>(options_for(m, mode),
                                           [&](ins::client& c) -> asio::awaitable<void> {
                                               auto req = test::ask("Answer.", 0);
                                               got = co_await c.create<T>(req);
                                           });
        ASSERT_FALSE(err) << err->what();
        check(got);
        // What went out: the Response model with its one content property (a schema in a
        // prompt is a string, its quotes escaped).
        auto const body = m.requests().at(0).body;  // a copy: requests() returns by value
        EXPECT_NE(body.find("Response"), std::string::npos) << body;
        EXPECT_NE(body.find("content"), std::string::npos) << body;
    }
}

}  // namespace

TEST(ResponseShapes, ScalarsEnumsListsMapsAndVariantsInEveryMode)
{
    call_in_every_mode<int>("42", [](int v) { EXPECT_EQ(v, 42); });
    call_in_every_mode<bool>("true", [](bool v) { EXPECT_TRUE(v); });
    call_in_every_mode<double>("2.5", [](double v) { EXPECT_EQ(v, 2.5); });
    call_in_every_mode<std::string>(R"("spam")", [](std::string const& v) { EXPECT_EQ(v, "spam"); });
    call_in_every_mode<Priority>(R"("high")", [](Priority v) { EXPECT_EQ(v, Priority::high); });
    call_in_every_mode<std::vector<UserInfo>>(
        R"([{"name": "Ann", "age": 3}, {"name": "Bob", "age": 4}])",
        [](std::vector<UserInfo> const& v) {
            ASSERT_EQ(v.size(), 2u);
            EXPECT_EQ(v[1].name, "Bob");
        });
    call_in_every_mode<std::map<std::string, int>>(
        R"({"a": 1, "b": 2})", [](std::map<std::string, int> const& v) { EXPECT_EQ(v.at("b"), 2); });
    call_in_every_mode<std::variant<Cat, Dog>>(R"({"name": "Rex", "breed": "collie"})",
                                               [](std::variant<Cat, Dog> const& v) {
                                                   ASSERT_TRUE(std::holds_alternative<Dog>(v));
                                                   EXPECT_EQ(std::get<Dog>(v).breed, "collie");
                                               });
}

TEST(ResponseShapes, TheSchemaIsTheResponseModel)
{
    mock_server m;
    auto err = test::with<ins::client>(options_for(m, ins::mode::tools),
                                       [&](ins::client& c) -> asio::awaitable<void> {
                                           auto req = test::ask("Pick one.", 0);
                                           (void)co_await c.create<Priority>(req);  // the mock's own answer
                                       });
    ASSERT_FALSE(err) << err->what();
    auto body = json::parse(m.requests().at(0).body);
    auto const& fn = body.at("tools").at(0).at("function");
    EXPECT_EQ(fn.at("name"), "Response");
    EXPECT_EQ(fn.at("parameters").at("required"), json::array{"content"});
    EXPECT_EQ(fn.at("parameters").at("properties").at("content").at("enum"),
              (json::array{"low", "medium", "high"}));
}

TEST(ResponseShapes, IssuesNamePathsUnderContentAndAreReasked)
{
    mock_server m;
    m.push(scripted(ins::mode::tools, R"([{"name": "Ann", "age": "three"}])"));
    m.push(scripted(ins::mode::tools, R"([{"name": "Ann", "age": 3}])"));
    std::vector<UserInfo> got;
    std::vector<std::string> paths;
    auto err = test::with<ins::client>(options_for(m, ins::mode::tools),
                                       [&](ins::client& c) -> asio::awaitable<void> {
                                           auto req = test::ask("People.", 1);
                                           req.call_hooks.on(ins::hook::parse_error,
                                                             [&](ins::hook_event const& e) {
                                                                 for (auto const& i : e.issues)
                                                                     paths.push_back(i.path);
                                                             });
                                           got = co_await c.create<std::vector<UserInfo>>(req);
                                       });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].age, 3);
    EXPECT_EQ(paths, std::vector<std::string>{"content/0/age"});
    // The re-ask told the model where.
    EXPECT_NE(m.requests().at(1).body.find("content/0/age"), std::string::npos);
}

TEST(ResponseShapes, APartialListGrowsThenIsFinal)
{
    for (auto mode : every_mode) {
        SCOPED_TRACE(std::string(ins::to_string(mode)));
        mock_server m;
        m.push(scripted(mode, R"([{"name": "Ann", "age": 3}, {"name": "Bob", "age": 4}])", true));
        std::vector<std::size_t> sizes;
        std::vector<UserInfo> last;
        auto err = test::with<ins::client>(
            options_for(m, mode), [&](ins::client& c) -> asio::awaitable<void> {
                auto s = c.create_partial<std::vector<UserInfo>>(test::ask("People.", 0));
                while (auto p = co_await s.next()) {
                    sizes.push_back(p->value.size());
                    if (p->complete)
                        last = p->value;
                }
            });
        ASSERT_FALSE(err) << err->what();
        ASSERT_EQ(last.size(), 2u);
        EXPECT_EQ(last[1].name, "Bob");
        EXPECT_TRUE(std::is_sorted(sizes.begin(), sizes.end()));
        EXPECT_GT(sizes.size(), 2u);
    }
}

TEST(ResponseShapes, ABatchOfNumbers)
{
    mock_server m;
    std::vector<ins::request> reqs{test::ask("One?"), test::ask("Two?")};
    std::size_t values = 0;
    auto err = test::with<ins::client>(options_for(m, ins::mode::tools),
                                       [&](ins::client& c) -> asio::awaitable<void> {
                                           auto b = co_await c.create_batch<int>(reqs);
                                           ins::wait_options wo;
                                           wo.first_poll = std::chrono::milliseconds(1);
                                           b = co_await c.wait_batch(b.id, wo);
                                           auto s = c.batch_results<int>(b);
                                           while (auto r = co_await s.next())
                                               values += r->value.has_value();
                                       });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(values, 2u);
}

}  // namespace response_shapes_test
