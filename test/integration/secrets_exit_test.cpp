// Every secret a client holds - its API key, its proxy's password (and the Basic credentials
// made of it), its Redis cache's password - sent back by hostile servers through every path an
// error or a failure text can take: a call's error body (JSON or a proxy's HTML page), the
// answers of a call that never validated, a stream's error event (partial and iterable), every
// batch operation (an upload refused, a batch's failure reason, a line's error, a line that does
// not parse), the proxy's own error page, the cache's error reply, and the instructor-batch
// command's output. Whatever path made the error, what reaches the caller - the exception, every
// hook event, every batch and line shown - holds none of them: they leave through the client's
// one exit (lib/client/redaction.hpp).
#include "async_test.hpp"
#include "command_output.hpp"
#include "mock_client.hpp"
#include "models.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/json.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace secrets_exit_test {

namespace ins = instructor;
namespace asio = boost::asio;
namespace json = boost::json;
using namespace models;
using ins::testing::mock_reply;
using ins::testing::mock_server;

namespace {

std::string const key = "sk-exit-primary-7731";
std::string const proxy_password = "pr0xy-exit-pass-5521";
std::string const basic = "YWxpY2U6cHIweHktZXhpdC1wYXNzLTU1MjE=";  // base64("alice:" + password)
std::string const redis_password = "r3dis-exit-pass-9902";

/// What the hostile servers echo: every secret, each in a sentence of its own.
std::string const echo = "your key " + key + ", your proxy alice:" + proxy_password +
                         " (Basic " + basic + "), your Redis AUTH " + redis_password;

/// A "Redis" on 127.0.0.1 that answers every command with an error echoing the password it was
/// sent (a hostile or broken server: the cache must report it without showing it).
class echoing_redis {
public:
    echoing_redis()
    {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            ::listen(fd_, 16) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            ADD_FAILURE() << "the echoing Redis could not listen";
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~echoing_redis()
    {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }

    std::string url() const
    {
        return "redis://:" + redis_password + "@127.0.0.1:" + std::to_string(port_) + "/0";
    }

private:
    void serve()
    {
        // Bounded: a poll of 50 ms at a time until stopped, one connection at a time.
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0)
                continue;
            int const c = ::accept(fd_, nullptr, nullptr);
            if (c < 0)
                continue;
            char buf[4096];
            for (int i = 0; i < 100 && !stop_; ++i) {
                pollfd q{c, POLLIN, 0};
                if (::poll(&q, 1, 50) <= 0)
                    continue;
                auto const n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0)
                    break;
                std::string const reply = "-ERR " + echo + "\r\n";
                (void)::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
            }
            ::close(c);
        }
    }

    int fd_ = -1;
    unsigned short port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

/// Every text an error shows a caller.
std::string texts_of(ins::error const& e)
{
    std::string all = std::string(e.what()) + "\n" + e.provider_message + "\n";
    auto add_issues = [&](std::vector<ins::validation_issue> const& issues) {
        for (auto const& i : issues)
            all += i.path + ": " + i.message + "\n";
    };
    add_issues(e.issues);
    all += json::serialize(e.last_completion) + "\n";
    for (auto const& f : e.failed_attempts) {
        add_issues(f.issues);
        all += json::serialize(f.completion) + "\n";
    }
    return all;
}

/// Fails the test if `text` shows a secret; counts what was redacted.
void expect_no_secret(std::string const& text, std::string const& where, int& redacted)
{
    for (auto const& s : {key, proxy_password, basic, redis_password})
        EXPECT_EQ(text.find(s), std::string::npos) << where << " shows a secret:\n" << text;
    if (text.find("[redacted]") != std::string::npos || text.find("[password]") != std::string::npos)
        ++redacted;
}

class SecretsExit : public ::testing::Test {
protected:
    mock_server m;
    echoing_redis redis;
    std::string hooked;  // every text every hook event showed
    int redacted = 0;

    /// A client of the mock holding all three secrets: the proxy is configured (from which its
    /// password is known) but 127.0.0.1 is reached directly, so the mock can echo it.
    ins::client_options options() const
    {
        auto o = test::mock_options(m, ins::mode::tools, key);
        o.transport.proxy = "http://alice:" + proxy_password + "@127.0.0.1:9";
        o.transport.no_proxy = "127.0.0.1";
        o.cache = ins::make_redis_cache(redis.url());
        o.max_network_retries = 0;
        return o;
    }

    void listen(ins::client& c)
    {
        for (auto h : {ins::hook::completion_kwargs, ins::hook::completion_response,
                       ins::hook::completion_error, ins::hook::parse_error,
                       ins::hook::completion_last_attempt, ins::hook::cache_error}) {
            c.on(h, [this](ins::hook_event const& e) {
                if (e.error)
                    hooked += texts_of(*e.error);
                for (auto const& i : e.issues)
                    hooked += i.path + ": " + i.message + "\n";
                if (e.response)
                    hooked += json::serialize(*e.response) + "\n";
            });
        }
    }

    /// Runs `body` on a client of options(); returns its error's texts, checked.
    template <class Body>
    void expect_redacted_error(std::string const& path, Body body, ins::client_options o)
    {
        SCOPED_TRACE(path);
        auto err = test::with<ins::client>(o, [&](ins::client& c) -> asio::awaitable<void> {
            listen(c);
            co_await body(c);
        });
        ASSERT_TRUE(err) << path << " did not fail";
        expect_no_secret(texts_of(*err), path + ": the error", redacted);
    }
    template <class Body>
    void expect_redacted_error(std::string const& path, Body body)
    {
        expect_redacted_error(path, std::move(body), options());
    }
};

json::object batch_json(std::string status)
{
    return {{"id", "batch_1"},
            {"object", "batch"},
            {"endpoint", "/v1/chat/completions"},
            {"status", std::move(status)},
            {"output_file_id", "file-out"},
            {"request_counts", {{"total", 2}, {"completed", 0}, {"failed", 2}}}};
}

/// A batch the provider failed, its reason echoing every secret.
mock_reply failed_batch()
{
    auto failed = batch_json("failed");
    failed["errors"] = {{"data", json::array{{{"code", "invalid"}, {"message", echo}}}}};
    mock_reply r;
    r.body = json::serialize(failed);
    return r;
}

/// A completed batch, then its results: a line whose error echoes every secret, then a line
/// that does not parse, echoing them again.
void push_results(mock_server& m)
{
    mock_reply completed;
    completed.body = json::serialize(batch_json("completed"));
    mock_reply file;
    file.body = json::serialize(json::object{{"custom_id", "r1"},
                                             {"error", {{"code", "x"}, {"message", echo}}}}) +
                "\nnot JSON: " + echo + "\n";
    m.push(completed);
    m.push(file);
}

TEST_F(SecretsExit, NoErrorPathShowsTheKeyTheProxyPasswordOrTheRedisPassword)
{
    // A call: an error body in JSON, and a proxy's HTML page.
    m.push(mock_reply::error(400, echo));
    expect_redacted_error("a call's JSON error body", [](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(test::ask("John is 32."));
    });
    mock_reply page;
    page.status = 502;
    page.content_type = "text/html";
    page.body = "<html><body>Bad gateway. " + echo + "</body></html>";
    m.push(page);
    expect_redacted_error("a call's HTML error page", [](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(test::ask("John is 32."));
    });

    // Answers that never validate: the issues, the completions kept, the parse_error hooks.
    for (int i = 0; i < 2; ++i)
        m.push(mock_reply::chat_tool_call(
            "UserInfo", json::serialize(json::object{{"name", echo}, {"age", echo}})));
    expect_redacted_error("answers that never validate", [](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(test::ask("John is 32.", 1));
    });

    // Streams: an error event, partial and iterable.
    auto const event = json::serialize(json::object{{"error", {{"message", echo}}}});
    m.push(mock_reply::sse({event}, false));
    expect_redacted_error("a partial stream's error event", [](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_partial<UserInfo>(test::ask("John is 32."));
        for (;;) {
            auto x = co_await s.next();
            if (!x)
                break;
        }
    });
    m.push(mock_reply::sse({event}, false));
    expect_redacted_error("an iterable stream's error event", [](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_iterable<UserInfo>(test::ask("John is 32."));
        for (;;) {
            auto x = co_await s.next();
            if (!x)
                break;
        }
    });

    // Batches: the upload refused; a batch's failure reason; a line's error; a line that does
    // not parse (the error that ends the results).
    m.push(mock_reply::error(400, echo));
    expect_redacted_error("a batch upload refused", [](ins::client& c) -> asio::awaitable<void> {
        auto reqs = test::people(2);
        co_await c.create_batch<UserInfo>(reqs);
    });
    m.push(failed_batch());
    std::string shown;
    auto err = test::with<ins::client>(options(), [&](ins::client& c) -> asio::awaitable<void> {
        auto b = co_await c.retrieve_batch(std::string("batch_1"));
        shown = b.failure;
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_FALSE(shown.empty());
    expect_no_secret(shown, "a batch's failure reason", redacted);

    push_results(m);
    std::string line_error;
    expect_redacted_error("a batch's result lines", [&](ins::client& c) -> asio::awaitable<void> {
        auto b = co_await c.retrieve_batch(std::string("batch_1"));
        auto results = c.batch_results<UserInfo>(b);
        for (;;) {
            auto r = co_await results.next();
            if (!r)
                break;
            if (r->error)
                line_error += texts_of(*r->error);
        }
    });
    EXPECT_FALSE(line_error.empty());
    expect_no_secret(line_error, "a batch line's error", redacted);

    // The proxy itself: an error page echoing the credentials it was sent (and everything else).
    mock_server proxy;
    auto through = options();
    through.transport.proxy = "http://alice:" + proxy_password + "@127.0.0.1:" +
                              std::to_string(proxy.port());
    through.transport.no_proxy = "";
    proxy.push(mock_reply::error(502, echo));
    expect_redacted_error("the proxy's error page", [](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(test::ask("John is 32."));
    }, through);
    ASSERT_FALSE(proxy.requests().empty());

    // The hooks saw every call's errors, parse errors, responses and the cache's failures.
    EXPECT_NE(hooked.find("AUTH"), std::string::npos) << "the cache's failure reached no hook";
    expect_no_secret(hooked, "the hook events", redacted);
    // Each path showed what was redacted: the echoes did arrive.
    EXPECT_GE(redacted, 9);
}

// The command prints what the library hands it: the key (from the environment) and the
// proxy's password (from HTTP_PROXY) echoed into a batch's failure and a line's error stay out
// of its output, errors included.
TEST_F(SecretsExit, TheBatchCommandShowsNoSecret)
{
    auto const run = [&](std::string const& flags) {
        std::string line = "OPENAI_API_KEY=" + key + " HTTP_PROXY=http://alice:" + proxy_password +
                           "@127.0.0.1:9 NO_PROXY=127.0.0.1 ";
        line += INSTRUCTOR_BATCH_COMMAND;
        line += " " + flags + " --url " + m.base_url() + " 2>&1";
        return test::run_command(line);
    };
    m.push(failed_batch());
    auto out = run("status batch_1");
    EXPECT_EQ(out.status, 0) << out.out;
    for (auto const& s : {key, proxy_password, basic})
        EXPECT_EQ(out.out.find(s), std::string::npos) << out.out;
    EXPECT_NE(out.out.find("[redacted]"), std::string::npos) << out.out;

    push_results(m);
    out = run("results batch_1 --type SmallUser");
    EXPECT_NE(out.status, 0) << out.out;  // the line that does not parse ends it
    for (auto const& s : {key, proxy_password, basic})
        EXPECT_EQ(out.out.find(s), std::string::npos) << out.out;
    EXPECT_NE(out.out.find("[redacted]"), std::string::npos) << out.out;
}

}  // namespace

}  // namespace secrets_exit_test
