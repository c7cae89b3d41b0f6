// The response cache through the public API against the mock: hits make no request, only
// validated answers are stored, keys ignore the API key, streams replay a hit, a failing cache
// never fails a call, and the disk cache survives corrupt entries.
#include "async_test.hpp"
#include "mock_client.hpp"
#include "models.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <sys/stat.h>
#include <unistd.h>

namespace cache_test {

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;
using namespace models;
using instructor::testing::mock_reply;
using instructor::testing::mock_server;

namespace {

ins::client_options cached_options(mock_server const& m, std::shared_ptr<ins::cache> cache,
                                   ins::mode mode = ins::mode::tools)
{
    auto o = test::mock_options(m, mode);
    o.api_key = "sk-cache-secret-1234";
    o.cache = std::move(cache);
    return o;
}

/// A fresh directory under the system's temporary one, removed at the end of the test.
struct temp_dir {
    fs::path path;
    temp_dir()
    {
        std::random_device rd;
        path = fs::temp_directory_path() / ("instructor-cache-test-" + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~temp_dir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

/// A name that must occur in the call's source text.
struct Named {
    std::string name;
    void validate(ins::validation_context& ctx) const
    {
        auto const* source = ctx.context().if_contains("source");
        if (!source || std::string_view(source->as_string()).find(name) == std::string_view::npos)
            ctx.fail("name", "not in the source");
    }
};
BOOST_DESCRIBE_STRUCT(Named, (), (name))

/// A cache whose store is down.
struct broken_cache final : ins::cache {
    asio::awaitable<std::optional<std::string>> get(std::string) override
    {
        throw std::runtime_error("connection refused");
        co_return std::nullopt;
    }
    asio::awaitable<void> put(std::string, std::string) override
    {
        throw std::runtime_error("connection refused");
        co_return;
    }
};

}  // namespace

TEST(Cache, ASecondIdenticalCallIsAnsweredWithoutARequest)
{
    mock_server m;
    m.push(mock_reply::chat_tool_call("UserInfo", R"({"name": "John Doe", "age": 32})"));
    int kwargs = 0;
    auto cache = ins::make_memory_cache(16);
    auto err = test::with<ins::client>(cached_options(m, cache), [&](ins::client& c) -> asio::awaitable<void> {
        c.on(ins::hook::completion_kwargs, [&](ins::hook_event const&) { ++kwargs; });
        auto first = co_await c.create_with_completion<UserInfo>(test::ask("John Doe is 32."));
        EXPECT_FALSE(first.completion.from_cache);
        EXPECT_EQ(first.completion.attempts, 1);
        auto second = co_await c.create_with_completion<UserInfo>(test::ask("John Doe is 32."));
        EXPECT_TRUE(second.completion.from_cache);
        EXPECT_EQ(second.completion.attempts, 0);
        EXPECT_EQ(second.completion.total_usage.total_tokens, 0u);
        EXPECT_EQ(second.value.name, "John Doe");
        EXPECT_EQ(second.value.age, 32);
        EXPECT_EQ(second.completion.endpoint, m.base_url());
        EXPECT_EQ(second.completion.raw, first.completion.raw);
        // another question is another key
        auto other = co_await c.create_with_completion<UserInfo>(test::ask("Jane is 41."));
        EXPECT_FALSE(other.completion.from_cache);
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(m.requests().size(), 2u);
    EXPECT_EQ(kwargs, 2);  // a hit emits no HTTP hooks
}

TEST(Cache, OnlyValidatedAnswersAreStored)
{
    mock_server m;
    m.push(mock_reply::chat_tool_call("UserInfo", R"({"name": "John Doe", "age": "old"})"));
    m.push(mock_reply::chat_tool_call("UserInfo", R"({"name": "John Doe", "age": 32})"));
    auto cache = ins::make_memory_cache(16);
    auto err = test::with<ins::client>(cached_options(m, cache), [&](ins::client& c) -> asio::awaitable<void> {
        try {
            co_await c.create<UserInfo>(test::ask("John Doe is 32.", 0));
            ADD_FAILURE() << "the invalid answer was accepted";
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code(), ins::errc::validation_failed);
        }
        auto again = co_await c.create_with_completion<UserInfo>(test::ask("John Doe is 32.", 0));
        EXPECT_FALSE(again.completion.from_cache);
        EXPECT_EQ(again.value.age, 32);
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(m.requests().size(), 2u);
}

TEST(Cache, TheKeyIsTheQuestionNotTheApiKey)
{
    mock_server m;
    m.push(mock_reply::chat_tool_call("UserInfo", R"({"name": "John Doe", "age": 32})"));
    temp_dir dir;
    auto cache = ins::make_disk_cache(dir.path);
    auto first = cached_options(m, cache);
    auto second = cached_options(m, cache);
    second.api_key = "sk-another-key-5678";
    auto err = test::with<ins::client>(first, [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(test::ask("John Doe is 32."));
    });
    ASSERT_FALSE(err) << err->what();
    auto err2 = test::with<ins::client>(second, [&](ins::client& c) -> asio::awaitable<void> {
        auto r = co_await c.create_with_completion<UserInfo>(test::ask("John Doe is 32."));
        EXPECT_TRUE(r.completion.from_cache);
        // another model or another mode asks another question
        auto req = test::ask("John Doe is 32.");
        req.model = "gpt-4o";
        auto other = co_await c.create_with_completion<UserInfo>(req);
        EXPECT_FALSE(other.completion.from_cache);
    });
    ASSERT_FALSE(err2) << err2->what();
    EXPECT_EQ(m.requests().size(), 2u);
    // one file per entry, and no key in any of them
    std::size_t files = 0;
    for (auto const& f : fs::directory_iterator(dir.path)) {
        ++files;
        std::ifstream in(f.path());
        std::string text((std::istreambuf_iterator<char>(in)), {});
        EXPECT_EQ(text.find("sk-cache-secret"), std::string::npos);
        EXPECT_EQ(text.find("sk-another-key"), std::string::npos);
    }
    EXPECT_EQ(files, 2u);
}

TEST(Cache, ADiskCacheIgnoresCorruptEntriesAndRewritesThem)
{
    mock_server m;
    temp_dir dir;
    auto cache = ins::make_disk_cache(dir.path);
    auto err = test::with<ins::client>(cached_options(m, cache), [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(test::ask("John Doe is 32."));
    });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(m.requests().size(), 1u);
    for (auto const& f : fs::directory_iterator(dir.path)) {
        std::ofstream out(f.path(), std::ios::trunc);
        out << R"({"version": "instructor-cache-1", "answers": [{"text": "{\"name\": )";  // cut short
    }
    for (int round = 0; round < 2; ++round) {
        auto e = test::with<ins::client>(cached_options(m, cache), [&](ins::client& c) -> asio::awaitable<void> {
            auto r = co_await c.create_with_completion<UserInfo>(test::ask("John Doe is 32."));
            EXPECT_EQ(r.completion.from_cache, round == 1);
        });
        ASSERT_FALSE(e) << e->what();
    }
    EXPECT_EQ(m.requests().size(), 2u);  // the corrupt entry was a miss, then replaced
}

TEST(Cache, AHitIsValidatedAgainWithTheCallsContext)
{
    mock_server m;
    m.push(mock_reply::chat_tool_call("Named", R"({"name": "John"})"));
    m.push(mock_reply::chat_tool_call("Named", R"({"name": "Jane"})"));
    auto cache = ins::make_memory_cache(4);
    auto err = test::with<ins::client>(cached_options(m, cache), [&](ins::client& c) -> asio::awaitable<void> {
        // The context is not in the request body: the key is the same for both sources.
        auto req = test::ask("Who is mentioned?");
        req.context = json::object{{"source", "John went home."}};
        auto first = co_await c.create_with_completion<Named>(req);
        EXPECT_FALSE(first.completion.from_cache);
        auto hit = co_await c.create_with_completion<Named>(req);
        EXPECT_TRUE(hit.completion.from_cache);
        req.context = json::object{{"source", "Jane went home."}};
        auto other = co_await c.create_with_completion<Named>(req);  // John fails here: a miss
        EXPECT_FALSE(other.completion.from_cache);
        EXPECT_EQ(other.value.name, "Jane");
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(m.requests().size(), 2u);
}

TEST(Cache, AStreamReplaysAHitAsOneCompleteSnapshot)
{
    mock_server m;
    auto cache = ins::make_memory_cache(4);
    auto err = test::with<ins::client>(cached_options(m, cache), [&](ins::client& c) -> asio::awaitable<void> {
        auto value = co_await c.create<UserInfo>(test::ask("John Doe is 32."));
        auto s = c.create_partial<UserInfo>(test::ask("John Doe is 32."));
        int snapshots = 0;
        while (auto p = co_await s.next()) {
            ++snapshots;
            EXPECT_TRUE(p->complete);
            EXPECT_EQ(p->value.name, value.name);
            EXPECT_EQ(p->value.age, value.age);
        }
        EXPECT_EQ(snapshots, 1);
        // and a stream's own answer is stored for the calls after it
        auto s2 = c.create_partial<UserInfo>(test::ask("Jane is 41."));
        while (co_await s2.next()) {
        }
        auto again = co_await c.create_with_completion<UserInfo>(test::ask("Jane is 41."));
        EXPECT_TRUE(again.completion.from_cache);
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(m.requests().size(), 2u);
}

TEST(Cache, AFailingCacheNeverFailsACallAndAHookSaysSo)
{
    mock_server m;
    std::vector<std::string> reported;
    auto err = test::with<ins::client>(cached_options(m, std::make_shared<broken_cache>()),
                                       [&](ins::client& c) -> asio::awaitable<void> {
        c.on(ins::hook::cache_error, [&](ins::hook_event const& e) {
            ASSERT_NE(e.error, nullptr);
            EXPECT_EQ(e.error->code(), ins::errc::cache_failed);
            reported.push_back(e.error->what());
        });
        auto u = co_await c.create<UserInfo>(test::ask("John Doe is 32."));
        EXPECT_FALSE(u.name.empty());
        auto s = c.create_partial<UserInfo>(test::ask("John Doe is 32."));
        while (co_await s.next()) {
        }
    });
    ASSERT_FALSE(err) << err->what();
    ASSERT_EQ(reported.size(), 4u);  // get and put, for the call and the stream
    EXPECT_NE(reported[0].find("connection refused"), std::string::npos);
    EXPECT_EQ(m.requests().size(), 2u);
}

TEST(Cache, TheMemoryCacheEvictsTheLeastRecentlyUsed)
{
    mock_server m;
    auto cache = ins::make_memory_cache(2);
    auto err = test::with<ins::client>(cached_options(m, cache), [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(test::ask("A is 1."));
        co_await c.create<UserInfo>(test::ask("B is 2."));
        co_await c.create<UserInfo>(test::ask("A is 1."));  // hit; B is now the oldest
        co_await c.create<UserInfo>(test::ask("C is 3."));  // evicts B
        auto a = co_await c.create_with_completion<UserInfo>(test::ask("A is 1."));
        EXPECT_TRUE(a.completion.from_cache);
        auto b = co_await c.create_with_completion<UserInfo>(test::ask("B is 2."));
        EXPECT_FALSE(b.completion.from_cache);
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(m.requests().size(), 4u);
    EXPECT_THROW(ins::make_memory_cache(0), ins::error);
}

TEST(Cache, TextModesCacheTheirAnswersToo)
{
    mock_server m;
    auto cache = ins::make_memory_cache(4);
    for (auto mode : {ins::mode::json, ins::mode::md_json, ins::mode::structured_outputs,
                      ins::mode::anthropic_tools, ins::mode::responses_structured_outputs}) {
        auto err = test::with<ins::client>(cached_options(m, cache, mode), [&](ins::client& c) -> asio::awaitable<void> {
            auto first = co_await c.create_with_completion<UserInfo>(test::ask("Ada is 36."));
            auto second = co_await c.create_with_completion<UserInfo>(test::ask("Ada is 36."));
            EXPECT_FALSE(first.completion.from_cache);
            EXPECT_TRUE(second.completion.from_cache) << ins::to_string(mode);
            EXPECT_EQ(second.value.name, first.value.name);
        });
        ASSERT_FALSE(err) << err->what();
    }
    EXPECT_EQ(m.requests().size(), 5u);
}

namespace {

/// A put then a get on `cache`, as a call would make them.
std::optional<std::string> put_then_get(ins::cache& cache, std::string key, std::string value,
                                        std::string get_key)
{
    std::optional<std::string> got;
    test::run_async([&](asio::any_io_executor) -> asio::awaitable<void> {
        if (!key.empty())
            co_await cache.put(key, value);
        got = co_await cache.get(get_key);
    });
    return got;
}

unsigned mode_of(fs::path const& p)
{
    struct stat st {};
    EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
}

}  // namespace

TEST(Cache, DiskCacheEntriesAndDirectoriesArePrivateWhateverTheUmask)
{
    temp_dir dir;
    auto const old = ::umask(0);  // the loosest umask: nothing is taken off
    auto cache = ins::make_disk_cache(dir.path / "a" / "b");
    ::umask(old);
    EXPECT_EQ(put_then_get(*cache, "k1", "v", "k1"), "v");
    EXPECT_EQ(mode_of(dir.path / "a"), 0700u);
    EXPECT_EQ(mode_of(dir.path / "a" / "b"), 0700u);
    ::umask(0);
    (void)put_then_get(*cache, "k2", "w", "k2");
    ::umask(old);
    EXPECT_EQ(mode_of(dir.path / "a" / "b" / "k1"), 0600u);
    EXPECT_EQ(mode_of(dir.path / "a" / "b" / "k2"), 0600u);
    for (auto const& f : fs::directory_iterator(dir.path / "a" / "b"))  // no temporary left
        EXPECT_NE(f.path().filename().string().rfind(".tmp-", 0), 0u) << f.path();
}

TEST(Cache, DiskCacheNeverFollowsAPlantedLink)
{
    temp_dir dir;
    auto const outside = dir.path / "outside";
    { std::ofstream(outside) << "someone else's file"; }
    auto cache = ins::make_disk_cache(dir.path / "c");
    fs::create_symlink(outside, dir.path / "c" / "k1");
    EXPECT_EQ(put_then_get(*cache, "", "", "k1"), std::nullopt);  // not read through the link
    EXPECT_EQ(put_then_get(*cache, "k1", "mine", "k1"), "mine");
    EXPECT_FALSE(fs::is_symlink(dir.path / "c" / "k1"));  // replaced, not written through
    std::ifstream in(outside);
    EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), {}), "someone else's file");
}

TEST(Cache, DiskCacheRefusesADirectoryAnotherUserOwns)
{
    if (::geteuid() != 0)
        GTEST_SKIP() << "needs root to give a directory to another user";
    temp_dir dir;
    auto const theirs = dir.path / "theirs";
    fs::create_directories(theirs);
    ASSERT_EQ(::chown(theirs.c_str(), 65534, 65534), 0);  // nobody
    try {
        (void)ins::make_disk_cache(theirs);
        ADD_FAILURE() << "a directory owned by uid 65534 was accepted";
    }
    catch (ins::error const& e) {
        EXPECT_EQ(e.code(), ins::errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("another user"), std::string::npos) << e.what();
    }
    ASSERT_EQ(::chown(theirs.c_str(), 0, 0), 0);
    EXPECT_NO_THROW((void)ins::make_disk_cache(theirs));  // the same directory, now ours
}

TEST(Cache, ARequestsTtlExpiresTheEntryItStoresInEveryCacheKind)
{
    temp_dir dir;
    std::vector<std::shared_ptr<ins::cache>> caches{ins::make_memory_cache(16),
                                                    ins::make_disk_cache(dir.path)};
    for (auto const& cache : caches) {
        mock_server m;
        auto err = test::with<ins::client>(cached_options(m, cache), [&](ins::client& c) -> asio::awaitable<void> {
            auto brief = test::ask("John Doe is 32.");
            brief.cache.ttl = std::chrono::seconds(1);
            auto kept = test::ask("Jane is 41.");  // no ttl: as long as the cache keeps it
            co_await c.create<UserInfo>(brief);
            co_await c.create<UserInfo>(kept);
            auto hit = co_await c.create_with_completion<UserInfo>(brief);
            EXPECT_TRUE(hit.completion.from_cache);
            asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(1100));
            co_await t.async_wait(asio::use_awaitable);
            auto after = co_await c.create_with_completion<UserInfo>(brief);
            EXPECT_FALSE(after.completion.from_cache);  // expired: asked again, stored again
            auto still = co_await c.create_with_completion<UserInfo>(kept);
            EXPECT_TRUE(still.completion.from_cache);
        });
        ASSERT_FALSE(err) << err->what();
        EXPECT_EQ(m.requests().size(), 3u);
    }
}

TEST(Cache, BypassAsksTheModelAndRefreshesTheEntry)
{
    mock_server m;
    m.push(mock_reply::chat_tool_call("UserInfo", R"({"name": "John Doe", "age": 32})"));
    m.push(mock_reply::chat_tool_call("UserInfo", R"({"name": "John Doe", "age": 33})"));
    auto cache = ins::make_memory_cache(16);
    auto err = test::with<ins::client>(cached_options(m, cache), [&](ins::client& c) -> asio::awaitable<void> {
        co_await c.create<UserInfo>(test::ask("John Doe is 32."));
        auto fresh = test::ask("John Doe is 32.");
        fresh.cache.bypass = true;
        auto r = co_await c.create_with_completion<UserInfo>(fresh);
        EXPECT_FALSE(r.completion.from_cache);
        EXPECT_EQ(r.value.age, 33);
        auto again = co_await c.create_with_completion<UserInfo>(test::ask("John Doe is 32."));
        EXPECT_TRUE(again.completion.from_cache);
        EXPECT_EQ(again.value.age, 33);  // the refreshed answer
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(m.requests().size(), 2u);
}

TEST(Cache, ANonPositiveTtlIsABadRequest)
{
    mock_server m;
    auto err = test::with<ins::client>(cached_options(m, ins::make_memory_cache(4)), [&](ins::client& c) -> asio::awaitable<void> {
        auto r = test::ask("John Doe is 32.");
        r.cache.ttl = std::chrono::seconds(0);
        try {
            co_await c.create<UserInfo>(r);
            ADD_FAILURE() << "a zero ttl was accepted";
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code(), ins::errc::invalid_argument);
        }
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_TRUE(m.requests().empty());
}

}  // namespace cache_test
