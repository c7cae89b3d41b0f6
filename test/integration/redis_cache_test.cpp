// The Redis cache through the public API against the mock and a redis-server of the suite's
// own (password and database set, so every connection logs in and selects): two cache objects
// share entries, keys carry no API key and expire, and a Redis that is missing, stopped,
// refusing the password or silent never fails a call; a "Redis" answering with shapes the
// cache never asks for is cut off as it is read, and DNS that does not answer never holds up
// the cache's destruction.
#include "mock_client.hpp"
#include "async_test.hpp"
#include "child_process.hpp"
#include "redis_server.hpp"
#include "models.hpp"

#include "cache/redis_cache.hpp"
#include "cache/redis_reply_shapes.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace redis_cache_test {

namespace asio = boost::asio;
using namespace models;
using namespace std::chrono_literals;
using instructor::testing::mock_server;

// Not in an anonymous namespace: the fixture is the tests' base (unity builds warn).

using test::redis_server;
constexpr char const* password = test::redis_password;
constexpr int database = test::redis_database;


class RedisCache : public ::testing::Test {
protected:
    static void SetUpTestSuite() { server = new redis_server; }
    static void TearDownTestSuite()
    {
        delete server;
        server = nullptr;
    }

    /// A prefix of the test's own: the suite shares one server.
    static std::string prefix()
    {
        auto const* test = ::testing::UnitTest::GetInstance()->current_test_info();
        return std::string("test-") + test->name() + ":";
    }

    static std::shared_ptr<ins::cache> make_cache(std::string url, ins::redis_cache_options o = {})
    {
        o.key_prefix = prefix();
        return ins::make_redis_cache(std::move(url), std::chrono::hours(1), std::move(o));
    }

    static redis_server* server;
};

redis_server* RedisCache::server = nullptr;

/// A "Redis" on 127.0.0.1 for one connection: it reads a command (GETRANGE's 9 lines), answers
/// `head`, then `rest` unless the client has hung up by then. Each wait is bounded (10 s).
class hostile_redis {
public:
    hostile_redis(std::string head, std::string rest)
        : acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}),
          thread_([this, head = std::move(head), rest = std::move(rest)] { serve(head, rest); })
    {}
    ~hostile_redis() { join(); }

    std::string url() const
    {
        return "redis://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
    }

    /// True when the client hung up before `rest` was sent.
    bool hung_up_early()
    {
        join();
        return hung_up_;
    }

private:
    void join()
    {
        if (thread_.joinable())
            thread_.join();
    }

    void serve(std::string const& head, std::string const& rest)
    {
        pollfd a{acceptor_.native_handle(), POLLIN, 0};
        if (::poll(&a, 1, 10'000) <= 0)
            return;
        asio::ip::tcp::socket s(ioc_);
        boost::system::error_code ec;
        acceptor_.accept(s, ec);
        std::string in;
        char buf[4096];
        while (!ec && std::count(in.begin(), in.end(), '\n') < 9 && in.size() < 65536) {
            auto const n = s.read_some(asio::buffer(buf), ec);
            in.append(buf, n);
        }
        if (!ec)
            asio::write(s, asio::buffer(head), ec);
        if (ec)
            return;
        pollfd p{s.native_handle(), POLLIN, 0};
        if (::poll(&p, 1, 10'000) > 0 && ::recv(p.fd, buf, sizeof buf, 0) <= 0) {
            hung_up_ = true;
            return;
        }
        asio::write(s, asio::buffer(rest), ec);
        hung_up_ = ec.failed();
    }

    asio::io_context ioc_;
    asio::ip::tcp::acceptor acceptor_;
    bool hung_up_ = false;
    std::thread thread_;
};

/// A resolver that does not answer until released (or, should anyone wait for it, a minute).
struct stuck_dns {
    std::mutex mutex;
    std::condition_variable changed;
    bool entered = false;
    bool released = false;
    bool gave_up = false;
    int lookups = 0;

    std::vector<asio::ip::tcp::endpoint> resolve(boost::system::error_code& ec)
    {
        std::unique_lock lock(mutex);
        entered = true;
        ++lookups;
        changed.notify_all();
        gave_up = !changed.wait_for(lock, 60s, [&] { return released; });
        ec = asio::error::host_not_found;
        return {};
    }

    bool has_entered()
    {
        std::lock_guard lock(mutex);
        return entered;
    }

    void release()
    {
        std::lock_guard lock(mutex);
        released = true;
        changed.notify_all();
    }
};

ins::client_options cached_options(mock_server const& m, std::shared_ptr<ins::cache> cache)
{
    auto o = test::mock_options(m, ins::mode::tools, "sk-redis-secret-1234");
    o.cache = std::move(cache);
    return o;
}

ins::request ask(std::string text)
{
    ins::request r;
    r.messages.push_back(ins::message::user(std::move(text)));
    return r;
}

/// Runs `body` on a client over `cache`, collecting what hook::cache_error reports.
template <class Body>
std::vector<std::string> with_cache(mock_server const& m, std::shared_ptr<ins::cache> cache,
                                    Body body)
{
    std::vector<std::string> reported;
    auto err = test::with<ins::client>(cached_options(m, std::move(cache)),
                                       [&](ins::client& c) -> asio::awaitable<void> {
        c.on(ins::hook::cache_error, [&](ins::hook_event const& e) {
            EXPECT_EQ(e.error->code(), ins::errc::cache_failed);
            reported.push_back(e.error->what());
        });
        co_await body(c);
    });
    EXPECT_FALSE(err) << err->what();
    return reported;
}


TEST_F(RedisCache, ASecondCacheOnTheSameRedisAnswersWithoutARequest)
{
    mock_server m;
    auto first = make_cache(server->url());
    auto second = make_cache(server->url());
    UserInfo stored;
    auto errors = with_cache(m, first, [&](ins::client& c) -> asio::awaitable<void> {
        auto r = co_await c.create_with_completion<UserInfo>(ask("John Doe is 32."));
        EXPECT_FALSE(r.completion.from_cache);
        stored = r.value;
    });
    auto errors2 = with_cache(m, second, [&](ins::client& c) -> asio::awaitable<void> {
        auto r = co_await c.create_with_completion<UserInfo>(ask("John Doe is 32."));
        EXPECT_TRUE(r.completion.from_cache);
        EXPECT_EQ(r.completion.attempts, 0);
        EXPECT_EQ(r.value.name, stored.name);
        EXPECT_EQ(r.value.age, stored.age);
    });
    EXPECT_TRUE(errors.empty()) << errors.front();
    EXPECT_TRUE(errors2.empty()) << errors2.front();
    EXPECT_EQ(m.requests().size(), 1u);
}

TEST_F(RedisCache, KeysCarryThePrefixAndAnExpiryButNoApiKey)
{
    mock_server m;
    auto cache = make_cache(server->url());
    auto errors = with_cache(m, cache, [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(ask("Jane is 41."));
    });
    EXPECT_TRUE(errors.empty()) << errors.front();
    auto keys = server->keys(prefix());
    ASSERT_EQ(keys.size(), 1u);
    EXPECT_EQ(keys[0].find("sk-redis-secret"), std::string::npos);
    auto value = server->cli("GET " + keys[0]);
    EXPECT_NE(value.find("Jane"), std::string::npos);
    EXPECT_EQ(value.find("sk-redis-secret"), std::string::npos);
    auto ttl = std::stol(server->cli("TTL " + keys[0]));
    EXPECT_GT(ttl, 0);
    EXPECT_LE(ttl, 3600);
    EXPECT_TRUE(server->keys(prefix(), 0).empty());  // SELECT put it in the URL's database
}

TEST_F(RedisCache, ARequestsTtlHoldsForEveryCacheOnTheRedis)
{
    mock_server m;
    auto brief = ask("John Doe is 32.");
    brief.cache.ttl = std::chrono::seconds(1);
    auto errors = with_cache(m, make_cache(server->url()), [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(brief);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    auto errors2 = with_cache(m, make_cache(server->url()), [&](ins::client& c) -> asio::awaitable<void> {
        auto r = co_await c.create_with_completion<UserInfo>(brief);
        EXPECT_FALSE(r.completion.from_cache);  // past the ttl written into the entry
    });
    EXPECT_TRUE(errors.empty()) << errors.front();
    EXPECT_TRUE(errors2.empty()) << errors2.front();
    EXPECT_EQ(m.requests().size(), 2u);
}

TEST_F(RedisCache, AnUnreachableRedisNeverFailsACall)
{
    mock_server m;
    ins::redis_cache_options o;
    o.reconnect_delay = 1h;  // the second failure is then the fast one, whatever the machine's load
    auto url = "redis://:" + std::string(password) + "@127.0.0.1:" + std::to_string(test::free_port());
    auto errors = with_cache(m, make_cache(url, o), [&](ins::client& c) -> asio::awaitable<void> {
        auto u = co_await c.create<UserInfo>(ask("John Doe is 32."));
        EXPECT_FALSE(u.name.empty());
        auto again = co_await c.create_with_completion<UserInfo>(ask("John Doe is 32."));
        EXPECT_FALSE(again.completion.from_cache);
    });
    ASSERT_EQ(errors.size(), 4u);  // get and put, twice
    EXPECT_NE(errors[0].find("127.0.0.1"), std::string::npos) << errors[0];
    for (std::size_t i = 1; i < errors.size(); ++i)
        EXPECT_NE(errors[i].find("not retried yet"), std::string::npos) << errors[i];
    for (auto const& e : errors)
        EXPECT_EQ(e.find(password), std::string::npos) << e;
    EXPECT_EQ(m.requests().size(), 2u);
}

TEST_F(RedisCache, AWrongPasswordFailsTheCacheNotTheCallAndIsNeverShown)
{
    mock_server m;
    std::string const wrong = "wrong-pass-7781";
    auto cache = make_cache(server->url(wrong));
    auto errors = with_cache(m, cache, [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(ask("John Doe is 32."));
    });
    ASSERT_FALSE(errors.empty());
    EXPECT_NE(errors[0].find("AUTH"), std::string::npos) << errors[0];
    for (auto const& e : errors)
        EXPECT_EQ(e.find(wrong), std::string::npos) << e;
    EXPECT_EQ(m.requests().size(), 1u);
}

TEST_F(RedisCache, ABadUrlOrOptionThrowsInvalidArgumentWithoutThePassword)
{
    for (std::string url : {"http://:hunter2-pw@host", "rediss://:hunter2-pw@host",
                            "redis://:hunter2-pw@", "redis://:hunter2-pw@host:99999",
                            "redis://:hunter2-pw@host/db", "redis://:hunter2-pw@host/-1",
                            "redis://:hunter2-pw@host?timeout=1", "redis://user-only@host",
                            "not a url hunter2-pw"}) {
        try {
            ins::make_redis_cache(url);
            ADD_FAILURE() << "accepted a bad URL: " << url;
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code(), ins::errc::invalid_argument);
            EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
        }
    }
    try {  // the link is clear text: a TLS URL is refused, never sent in clear
        ins::make_redis_cache("rediss://:hunter2-pw@host");
    }
    catch (ins::error const& e) {
        EXPECT_NE(std::string(e.what()).find("TLS"), std::string::npos) << e.what();
    }
    for (std::string url : {"redis://localhost", "redis://127.0.0.1:6380/15", "redis://[::1]",
                            "redis://default:pw@host:1/0", "redis://:p%40ss@host/"})
        EXPECT_NO_THROW(ins::make_redis_cache(url)) << url;
    EXPECT_THROW(ins::make_redis_cache("redis://host", std::chrono::seconds(0)), ins::error);
    EXPECT_THROW(ins::make_redis_cache("redis://host", 1h, {.max_entry_bytes = 0}), ins::error);
}

TEST_F(RedisCache, AUserAndPasswordLogInWithTheirAclUser)
{
    mock_server m;
    auto url = server->url();
    url.replace(url.find("://:") + 3, 0, "default");
    auto cache = make_cache(url);
    auto errors = with_cache(m, cache, [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(ask("Ada is 36."));
        auto r = co_await c.create_with_completion<UserInfo>(ask("Ada is 36."));
        EXPECT_TRUE(r.completion.from_cache);
    });
    EXPECT_TRUE(errors.empty()) << errors.front();
}

TEST_F(RedisCache, AnEntryLargerThanTheLimitIsAMiss)
{
    auto cache = make_cache(server->url(), {.max_entry_bytes = 64});
    server->cli("SET " + prefix() + "big " + std::string(65, 'x'));
    server->cli("SET " + prefix() + "fits " + std::string(64, 'y'));
    test::run_async([&](asio::any_io_executor) -> asio::awaitable<void> {
        EXPECT_FALSE(co_await cache->get("big"));
        EXPECT_EQ(co_await cache->get("fits"), std::string(64, 'y'));
        EXPECT_FALSE(co_await cache->get("absent"));
        co_await cache->put("large", std::string(65, 'z'));  // not written
        EXPECT_FALSE(co_await cache->get("large"));
    });
    EXPECT_TRUE(server->keys(prefix() + "large").empty());
}

TEST_F(RedisCache, ALargeEntryComesBackWhole)
{
    auto cache = make_cache(server->url());
    std::string value(4 * 1024 * 1024, 'v');  // many of hiredis's reads
    value.replace(value.size() / 2, 3, "mid");
    test::run_async([&](asio::any_io_executor) -> asio::awaitable<void> {
        co_await cache->put("large", value);
        EXPECT_EQ(co_await cache->get("large"), value);
    });
}

TEST_F(RedisCache, IsSharedByCallersOnManyThreads)
{
    auto cache = make_cache(server->url());
    std::vector<std::thread> threads;
    std::atomic<int> hits = 0;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            test::run_async([&](asio::any_io_executor) -> asio::awaitable<void> {
                for (int i = 0; i < 25; ++i) {
                    auto key = std::to_string(t) + "-" + std::to_string(i);
                    co_await cache->put(key, "value " + key);
                    hits += co_await cache->get(key) == "value " + key;
                }
            });
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(hits, 100);
}

TEST_F(RedisCache, ASilentRedisCostsOneTimeoutThenFailsFast)
{
    mock_server m;
    asio::io_context silent_ioc;  // accepts (the kernel does) and never answers
    asio::ip::tcp::acceptor silent(silent_ioc, {asio::ip::make_address("127.0.0.1"), 0});
    auto cache = make_cache("redis://127.0.0.1:" + std::to_string(silent.local_endpoint().port()),
                            {.command_timeout = 200ms, .reconnect_delay = 1h});
    auto errors = with_cache(m, cache, [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(ask("John Doe is 32."));
    });
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_NE(errors[0].find("did not answer within 200 ms"), std::string::npos) << errors[0];
    EXPECT_NE(errors[1].find("not retried yet"), std::string::npos) << errors[1];
    EXPECT_EQ(m.requests().size(), 1u);
}

TEST_F(RedisCache, CallsGoOnWhileRedisIsDownAndItsBackAfter)
{
    mock_server m;
    redis_server own;
    auto cache = make_cache(own.url(), {.reconnect_delay = 0ms});
    auto errors = with_cache(m, cache, [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(ask("John Doe is 32."));
        auto hit = co_await c.create_with_completion<UserInfo>(ask("John Doe is 32."));
        EXPECT_TRUE(hit.completion.from_cache);
    });
    EXPECT_TRUE(errors.empty()) << errors.front();
    own.stop();
    errors = with_cache(m, cache, [&](ins::client& c) -> asio::awaitable<void> {
        auto r = co_await c.create_with_completion<UserInfo>(ask("John Doe is 32."));
        EXPECT_FALSE(r.completion.from_cache);
        co_await c.create<UserInfo>(ask("Jane is 41."));
    });
    EXPECT_EQ(errors.size(), 4u);
    redis_server again(own.port());
    errors = with_cache(m, cache, [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(ask("Ada is 36."));
        auto hit = co_await c.create_with_completion<UserInfo>(ask("Ada is 36."));
        EXPECT_TRUE(hit.completion.from_cache);
    });
    EXPECT_TRUE(errors.empty()) << errors.front();
    EXPECT_EQ(m.requests().size(), 4u);
}

TEST_F(RedisCache, DestroyingTheCacheIdleOrInUseNeitherCrashesNorHangs)
{
    make_cache(server->url());  // never used
    mock_server m;
    auto used = make_cache(server->url());
    with_cache(m, used, [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(ask("John Doe is 32."));
    });
    used.reset();  // with its connection open

    // A server that accepts and never answers: the get is in flight when the cache goes.
    asio::io_context silent_ioc;
    asio::ip::tcp::acceptor silent(silent_ioc, {asio::ip::make_address("127.0.0.1"), 0});
    auto cache = make_cache("redis://127.0.0.1:" + std::to_string(silent.local_endpoint().port()),
                            {.command_timeout = 60s});
    std::optional<ins::errc> failed;
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        asio::co_spawn(ex, [&, c = cache.get()]() -> asio::awaitable<void> {
            try {
                co_await c->get("key");
            }
            catch (ins::error const& e) {
                failed = e.code_enum();
            }
        }, asio::detached);
        asio::steady_timer t(ex, 200ms);
        co_await t.async_wait(asio::use_awaitable);
        cache.reset();
        while (!failed) {
            t.expires_after(10ms);
            co_await t.async_wait(asio::use_awaitable);
        }
    });
    EXPECT_EQ(failed, ins::errc::cache_failed);
}

TEST(RedisReplyShapes, ArraysAndIntegersAreRefusedBeforeTheyAreBuilt)
{
    auto read_all = [](std::string_view bytes, std::vector<int>& types) {
        std::unique_ptr<redisReader, void (*)(redisReader*)> r(redisReaderCreate(),
                                                               redisReaderFree);
        ins::redis::reply_guard guard;
        ins::redis::refuse_unasked_shapes(*r, guard);
        redisReaderFeed(r.get(), bytes.data(), bytes.size());
        void* reply = nullptr;
        int status = REDIS_OK;
        while ((status = redisReaderGetReply(r.get(), &reply)) == REDIS_OK && reply) {
            types.push_back(static_cast<redisReply*>(reply)->type);
            freeReplyObject(reply);
        }
        EXPECT_EQ(status == REDIS_ERR, guard.refused) << bytes;
        return guard.refused;
    };
    std::vector<int> types;
    EXPECT_FALSE(read_all("$3\r\nabc\r\n+OK\r\n-ERR no\r\n$-1\r\n*-1\r\n", types));
    EXPECT_EQ(types, (std::vector<int>{REDIS_REPLY_STRING, REDIS_REPLY_STATUS, REDIS_REPLY_ERROR,
                                       REDIS_REPLY_NIL, REDIS_REPLY_NIL}));
    types.clear();
    EXPECT_TRUE(read_all("+OK\r\n*2\r\n:1\r\n:2\r\n$1\r\nx\r\n", types));
    EXPECT_EQ(types, std::vector<int>{REDIS_REPLY_STATUS});  // nothing after the array
    types.clear();
    EXPECT_TRUE(read_all(":7\r\n", types));
    EXPECT_TRUE(types.empty());
}

TEST_F(RedisCache, AnArrayReplyIsRefusedAtItsHeaderAndTheLinkDropped)
{
    // A million integers to GETRANGE: hiredis would build ~56 MB of reply objects from 4 MB.
    std::string head = "*1000000\r\n", item = ":1\r\n", rest;
    for (int i = 0; i < 1000; ++i)
        head += item;
    for (int i = 1000; i < 1'000'000; ++i)
        rest += item;
    hostile_redis fake(head, rest);
    auto cache = make_cache(fake.url(), {.command_timeout = 60s});
    std::string failure;
    test::run_async([&](asio::any_io_executor) -> asio::awaitable<void> {
        try {
            auto r = co_await cache->get("key");
            ADD_FAILURE() << "the array was taken (as a " << (r ? "hit" : "miss") << ")";
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code_enum(), ins::errc::cache_failed);
            failure = e.what();
        }
    });
    EXPECT_NE(failure.find("answered with an array or an integer"), std::string::npos) << failure;
    EXPECT_TRUE(fake.hung_up_early());  // the rest was never read
}

TEST_F(RedisCache, AnIntegerReplyIsRefused)
{
    hostile_redis fake(":1\r\n", "$1\r\nx\r\n");
    auto cache = make_cache(fake.url(), {.command_timeout = 60s});
    std::optional<ins::errc> failed;
    test::run_async([&](asio::any_io_executor) -> asio::awaitable<void> {
        try {
            auto r = co_await cache->get("key");
            ADD_FAILURE() << "the integer was taken (as a " << (r ? "hit" : "miss") << ")";
        }
        catch (ins::error const& e) {
            failed = e.code_enum();
        }
    });
    EXPECT_EQ(failed, ins::errc::cache_failed);
    EXPECT_TRUE(fake.hung_up_early());
}

TEST_F(RedisCache, DestroyingTheCacheDoesNotWaitForTheResolver)
{
    // getaddrinfo cannot be cancelled: the cache used to join its thread behind it.
    auto dns = std::make_shared<stuck_dns>();
    auto cache = ins::redis::make_cache(
        "redis://cache.invalid", 1h,
        {.key_prefix = prefix(), .connect_timeout = 1h, .command_timeout = 1h},
        [dns](std::string const&, std::uint16_t, boost::system::error_code& ec) {
            return dns->resolve(ec);
        });
    std::optional<ins::errc> failed;
    test::run_async([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        asio::co_spawn(ex, [&, c = cache.get()]() -> asio::awaitable<void> {
            try {
                co_await c->get("key");
            }
            catch (ins::error const& e) {
                failed = e.code_enum();
            }
        }, asio::detached);
        asio::steady_timer t(ex);
        for (int i = 0; i < 1000 && !dns->has_entered(); ++i) {
            t.expires_after(10ms);
            co_await t.async_wait(asio::use_awaitable);
        }
        EXPECT_TRUE(dns->has_entered());
        cache.reset();  // the resolver is still blocked
        {
            std::lock_guard lock(dns->mutex);
            EXPECT_FALSE(dns->released);
            EXPECT_FALSE(dns->gave_up);  // it would have, had the destructor waited for it
        }
        for (int i = 0; i < 1000 && !failed; ++i) {
            t.expires_after(10ms);
            co_await t.async_wait(asio::use_awaitable);
        }
    });
    dns->release();
    EXPECT_EQ(failed, ins::errc::cache_failed);
}

TEST_F(RedisCache, DnsThatDoesNotAnswerHoldsOneLookupAtATime)
{
    auto dns = std::make_shared<stuck_dns>();
    auto cache = ins::redis::make_cache(
        "redis://cache.invalid", 1h,
        {.key_prefix = prefix(), .connect_timeout = 50ms, .reconnect_delay = 0ms},
        [dns](std::string const&, std::uint16_t, boost::system::error_code& ec) {
            return dns->resolve(ec);
        });
    std::vector<std::string> failures;
    test::run_async([&](asio::any_io_executor) -> asio::awaitable<void> {
        for (int i = 0; i < 3; ++i) {
            try {
                co_await cache->get("key");
            }
            catch (ins::error const& e) {
                failures.push_back(e.what());
            }
        }
    });
    {
        std::lock_guard lock(dns->mutex);
        EXPECT_EQ(dns->lookups, 1);  // not a thread a try
    }
    dns->release();
    ASSERT_EQ(failures.size(), 3u);
    EXPECT_NE(failures[0].find("no connection within 50 ms"), std::string::npos) << failures[0];
    for (std::size_t i = 1; i < failures.size(); ++i)
        EXPECT_NE(failures[i].find("last lookup of the host has not returned"), std::string::npos)
            << failures[i];
}

}  // namespace redis_cache_test
