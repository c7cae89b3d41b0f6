// Validators that wait (a model's validate_async) through the public API against the mock: run
// after validate() on a valid answer, their failures re-asked, a std::exception an issue and an
// ins::error the call's end, bounded by the call's deadline, cache hits judged by them too; and
// llm_validator, whose question to a model is re-asked with its reason and whose usage is the
// call's.
#include "async_test.hpp"
#include "mock_client.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/describe/class.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace async_validation_test {

namespace asio = boost::asio;
namespace ins = instructor;
using instructor::testing::mock_reply;
using instructor::testing::mock_server;
using namespace std::chrono_literals;

namespace {

/// A room that must be free in a "database" that answers after a wait.
struct Booking {
    std::string room;
    static inline int sync_checks = 0;
    static inline int async_checks = 0;
    static inline std::chrono::milliseconds lookup{1};

    void validate(ins::validation_context& ctx) const
    {
        ++sync_checks;
        if (room.empty())
            ctx.fail("room", "must not be empty");
    }
    asio::awaitable<void> validate_async(ins::validation_context& ctx) const
    {
        ++async_checks;
        asio::steady_timer t(co_await asio::this_coro::executor, lookup);
        co_await t.async_wait(asio::use_awaitable);
        if (room == "taken")
            ctx.fail("room", "is already booked");
        if (room == "throws")
            throw std::runtime_error("the booking system refused the room");
        if (room == "broken")
            throw ins::error(ins::errc::connection_failed, "the booking database is down");
    }
};
BOOST_DESCRIBE_STRUCT(Booking, (), (room))

mock_reply booking(std::string room)
{
    return mock_reply::chat_tool_call("Booking", R"({"room": ")" + room + R"("})");
}

void reset_counts()
{
    Booking::sync_checks = 0;
    Booking::async_checks = 0;
    Booking::lookup = 1ms;
}

/// A reply that must be polite, judged by a model.
struct Polite {
    std::string reply;
    static inline std::optional<ins::llm_validator> judge;
    asio::awaitable<void> validate_async(ins::validation_context& ctx) const
    {
        co_await (*judge)(reply, ctx, "reply");
    }
};
BOOST_DESCRIBE_STRUCT(Polite, (), (reply))

}  // namespace

TEST(ValidateAsync, AFailureIsReaskedWithWhatItSaid)
{
    reset_counts();
    mock_server m;
    m.push(booking(""));       // validate() refuses: validate_async never sees it
    m.push(booking("taken"));  // validate_async refuses
    m.push(booking("12B"));
    auto err = test::with<ins::client>(test::mock_options(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto r = co_await c.create_with_completion<Booking>(test::ask("Book me a room."));
        EXPECT_EQ(r.value.room, "12B");
        EXPECT_EQ(r.completion.attempts, 3);
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(Booking::sync_checks, 3);
    EXPECT_EQ(Booking::async_checks, 2);
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 3u);
    EXPECT_NE(reqs[2].body.find("room: is already booked"), std::string::npos);
}

TEST(ValidateAsync, EachItemOfAListIsCheckedAtItsPath)
{
    reset_counts();
    mock_server m;
    m.push(mock_reply::chat_tool_call("Response", R"({"content": [{"room": "12B"}, {"room": "taken"}]})"));
    m.push(mock_reply::chat_tool_call("Response", R"({"content": [{"room": "12B"}, {"room": "14C"}]})"));
    auto err = test::with<ins::client>(test::mock_options(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto rooms = co_await c.create<std::vector<Booking>>(test::ask("Book me two rooms."));
        EXPECT_EQ(rooms.size(), 2u);
        if (rooms.size() == 2) {
            EXPECT_EQ(rooms[1].room, "14C");
        }
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(Booking::async_checks, 4);
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 2u);
    // Where validate() would put it: under the Response model's content, at the item.
    EXPECT_NE(reqs[1].body.find("content/1/room: is already booked"), std::string::npos);
}

TEST(ValidateAsync, AThrownExceptionIsAnIssueAndAnInsErrorEndsTheCall)
{
    reset_counts();
    mock_server m;
    m.push(booking("throws"));
    m.push(booking("broken"));
    auto err = test::with<ins::client>(test::mock_options(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto r = test::ask("Book me a room.");
        // A deadline far off: the validator's error ends the call, not the deadline.
        r.deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
        try {
            co_await c.create<Booking>(r);
            ADD_FAILURE() << "a broken validator passed the answer";
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code(), ins::errc::connection_failed);
            EXPECT_NE(std::string(e.what()).find("booking database is down"), std::string::npos);
        }
    });
    ASSERT_FALSE(err) << err->what();
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 2u);  // the first refusal was re-asked
    EXPECT_NE(reqs[1].body.find("the booking system refused the room"), std::string::npos);
}

TEST(ValidateAsync, TheCallsDeadlineEndsAValidatorThatWaitsTooLong)
{
    reset_counts();
    Booking::lookup = 30s;
    mock_server m;
    m.push(booking("12B"));
    auto err = test::with<ins::client>(test::mock_options(m), [&](ins::client& c) -> asio::awaitable<void> {
        auto r = test::ask("Book me a room.");
        r.deadline = std::chrono::steady_clock::now() + 300ms;
        try {
            co_await c.create<Booking>(r);
            ADD_FAILURE() << "the deadline did not end the validator";
        }
        catch (ins::error const& e) {
            EXPECT_EQ(e.code(), ins::errc::timeout);
        }
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(Booking::async_checks, 1);
}

TEST(ValidateAsync, ACacheHitIsJudgedByThemToo)
{
    reset_counts();
    mock_server m;
    m.push(booking("12B"));
    m.push(booking("14C"));
    auto o = test::mock_options(m);
    o.cache = ins::make_memory_cache(4);
    auto err = test::with<ins::client>(o, [&](ins::client& c) -> asio::awaitable<void> {
        auto first = co_await c.create<Booking>(test::ask("Book me a room."));
        EXPECT_EQ(first.room, "12B");
        auto hit = co_await c.create_with_completion<Booking>(test::ask("Book me a room."));
        EXPECT_TRUE(hit.completion.from_cache);
        EXPECT_EQ(Booking::async_checks, 2);
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(m.requests().size(), 1u);
}

TEST(ValidateAsync, APartialStreamsFinalObjectWaitsForThem)
{
    reset_counts();
    mock_server m;
    auto streamed = [](std::string content) {  // one content delta, then the stop
        auto event = [](boost::json::object delta, boost::json::value finish) {
            return boost::json::serialize(boost::json::object{
                {"id", "c"}, {"object", "chat.completion.chunk"},
                {"choices", {boost::json::object{{"index", 0}, {"delta", std::move(delta)},
                                                 {"finish_reason", std::move(finish)}}}}});
        };
        return mock_reply::sse({event({{"content", std::move(content)}}, nullptr),
                                event({}, "stop")});
    };
    m.push(streamed(R"({"room": "taken"})"));
    m.push(streamed(R"({"room": "12B"})"));
    auto err = test::with<ins::client>(test::mock_options(m, ins::mode::json), [&](ins::client& c) -> asio::awaitable<void> {
        auto s = c.create_partial<Booking>(test::ask("Book me a room."));
        std::vector<std::string> finals;
        for (;;) {
            auto p = co_await s.next();
            if (!p)
                break;
            if (p->complete)
                finals.push_back(p->value.room);
        }
        EXPECT_EQ(finals, std::vector<std::string>{"12B"});  // "taken" was never final
    });
    ASSERT_FALSE(err) << err->what();
    EXPECT_EQ(Booking::async_checks, 2);
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_NE(reqs[1].body.find("room: is already booked"), std::string::npos);
}

TEST(LlmValidator, TheJudgesReasonIsReaskedAndItsUsageIsTheCalls)
{
    mock_server m;
    m.push(mock_reply::chat_tool_call("Polite", R"({"reply": "Go away."})"));
    m.push(mock_reply::chat_tool_call(
        "Verdict", R"({"is_valid": false, "reason": "The reply dismisses the customer."})"));
    m.push(mock_reply::chat_tool_call("Polite", R"({"reply": "Happy to help!"})"));
    m.push(mock_reply::chat_tool_call("Verdict", R"({"is_valid": true, "reason": null})"));
    auto err = test::with<ins::client>(test::mock_options(m), [&](ins::client& c) -> asio::awaitable<void> {
        Polite::judge.emplace(c, "the reply is polite to the customer");
        auto r = co_await c.create_with_completion<Polite>(test::ask("Answer the customer."));
        EXPECT_EQ(r.value.reply, "Happy to help!");
        EXPECT_EQ(r.completion.attempts, 2);
        EXPECT_EQ(r.completion.total_usage.total_tokens, 80u);  // 2 answers and 2 verdicts, 20 each
        Polite::judge.reset();
    });
    ASSERT_FALSE(err) << err->what();
    auto const reqs = m.requests();
    ASSERT_EQ(reqs.size(), 4u);
    EXPECT_NE(reqs[1].body.find("the reply is polite to the customer"), std::string::npos);
    EXPECT_NE(reqs[1].body.find("Go away."), std::string::npos);
    EXPECT_NE(reqs[2].body.find("reply: The reply dismisses the customer."), std::string::npos);
}

TEST(LlmValidator, AJudgeThatCannotAnswerEndsTheCall)
{
    mock_server m;
    m.push(mock_reply::chat_tool_call("Polite", R"({"reply": "Hello."})"));
    m.push(mock_reply::error(400, "bad request"));
    auto err = test::with<ins::client>(test::mock_options(m), [&](ins::client& c) -> asio::awaitable<void> {
        Polite::judge.emplace(c, "the reply is polite");
        try {
            co_await c.create<Polite>(test::ask("Answer the customer."));
            ADD_FAILURE() << "an unanswered check passed";
        }
        catch (ins::error const& e) {
            EXPECT_NE(e.code(), ins::errc::validation_failed);
        }
        Polite::judge.reset();
    });
    ASSERT_FALSE(err) << err->what();
    asio::io_context io;
    EXPECT_THROW(ins::llm_validator(ins::client(io.get_executor(), test::mock_options(m)), ""),
                 ins::error);
}

}  // namespace async_validation_test
