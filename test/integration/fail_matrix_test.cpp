// Beast's fail_count idea over real sockets: a call and a stream are run once to count their
// I/O steps (resolve, connect, handshake, write, headers, each body read), then again and again,
// failing (or cancelling at) the n-th step for every n, over HTTP and HTTPS. Every run must
// complete exactly once, with a typed ins::error (or, cancelled after its last step, the
// value), and leave no connection leased or pooled behind a failure.
#include "mock_client.hpp"
#include "async_test.hpp"
#include "models.hpp"
#include "streamed.hpp"

#include "client/client_access.hpp"
#include "net/fault_hook.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/algorithm/string/replace.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include <gtest/gtest.h>

namespace fail_matrix_test {

namespace asio = boost::asio;
namespace net = instructor::net;
using namespace models;
using namespace std::chrono_literals;
using instructor::testing::mock_server;

namespace {

std::string step_name(net::io_step s)
{
    switch (s) {
    case net::io_step::resolve: return "resolve";
    case net::io_step::connect: return "connect";
    case net::io_step::handshake: return "handshake";
    case net::io_step::write: return "write";
    case net::io_step::read_header: return "read_header";
    case net::io_step::read_body: return "read_body";
    case net::io_step::backoff: return "backoff";
    }
    return "?";
}

enum class action { none, fail, cancel };

struct run_result {
    int completions = 0;
    bool value = false;
    std::optional<ins::error> error;
    std::string foreign;
    std::vector<net::io_step> steps;
    net::pool_stats stats;
    bool reached = false;  // the run got to step n (how many body reads a run takes varies)
};

/// One call (or stream) whose n-th I/O step fails or is cancelled. With `retry`, the first
/// answer is a 503 and the call retries it once after a backoff sleep (a step of its own).
run_result run_once(mock_server& m, bool stream, int n, action what, bool retry)
{
    if (retry)
        m.push(ins::testing::mock_reply::error(503, "busy", {{"retry-after-ms", "5"}}));
    run_result r;
    asio::io_context ioc;
    auto o = test::mock_options(m, ins::mode::tools, "sk-matrix");
    // By name, so that resolving it is a step too (an address is not resolved).
    boost::algorithm::replace_first(o.base_url, "127.0.0.1", "localhost");
    o.max_network_retries = retry ? 1 : 0;
    ins::client c(ioc.get_executor(), o);
    asio::cancellation_signal cancel;
    net::set_fault_hook(ins::detail::client_access::transport(c), [&](net::io_step s) {
        int const i = static_cast<int>(r.steps.size());
        r.steps.push_back(s);
        r.reached = r.reached || i == n;
        if (i == n && what == action::fail)
            return boost::system::error_code(asio::error::connection_reset);
        if (i == n && what == action::cancel)
            cancel.emit(asio::cancellation_type::terminal);
        return boost::system::error_code{};
    });
    ins::request req;
    req.messages.push_back(ins::message::user("John Doe is 32 years old."));
    req.max_retries = 0;
    auto body = [&c, req, stream]() -> asio::awaitable<int> {
        if (!stream)
            co_return (co_await c.create<UserInfo>(req)).age;
        // This coroutine loops over the stream: it asks to see cancellation as the stream's
        // errc::cancelled, not as Asio's exception at its own next co_await.
        co_await asio::this_coro::throw_if_cancelled(false);
        co_return co_await test::streamed_age(c, req);
    };
    asio::co_spawn(ioc, body(), asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, int age) {
        ++r.completions;
        try {
            if (e)
                std::rethrow_exception(e);
            r.value = age == 32;
        }
        catch (ins::error const& err) {
            r.error = err;
        }
        catch (std::exception const& other) {
            r.foreign = other.what();
        }
    }));
    ioc.run_for(20s);
    r.stats = c.transport_stats();
    return r;
}

void matrix(bool tls, bool stream, action what, bool retry = false)
{
    mock_server m({.tls = tls, .stream_chunk_size = 24});
    auto const clean = run_once(m, stream, -1, action::none, retry);
    ASSERT_TRUE(clean.value) << (clean.error ? clean.error->what() : clean.foreign)
                             << " after " << clean.completions << " completions";
    ASSERT_GE(clean.steps.size(), tls ? 6u : 5u);  // resolve, connect, [handshake,] write, headers, body
    for (int n = 0; n < static_cast<int>(clean.steps.size()); ++n) {
        SCOPED_TRACE("step " + std::to_string(n) + " (" + step_name(clean.steps[n]) + ")");
        // With a retry, each run gets a mock of its own: a run cut short would leave its
        // scripted 503 for the next.
        std::optional<mock_server> fresh;
        if (retry)
            fresh.emplace(ins::testing::mock_options{.tls = tls, .stream_chunk_size = 24});
        auto const r = run_once(fresh ? *fresh : m, stream, n, what, retry);
        EXPECT_EQ(r.completions, 1);
        EXPECT_EQ(r.foreign, "");
        EXPECT_EQ(r.stats.in_use, 0u);  // nothing leased after the end
        if (!r.reached)
            continue;  // the body came in fewer reads this time: nothing was failed
        // A cancellation at a body read may land after the body was complete: then the value
        // may stand. Before the body, a value is a lost cancellation.
        bool const last = r.steps[n] == net::io_step::read_body;
        if (what == action::fail && retry) {
            // a failed first exchange spends the one retry on it (then the 503 ends the call);
            // a failed second one, or a failed sleep, ends the call
            EXPECT_TRUE(r.value || r.error);
            if (r.error) {
                EXPECT_TRUE(r.error->code() == ins::errc::connection_failed ||
                            r.error->code() == ins::errc::server_error ||
                            r.error->code() == ins::errc::cancelled)
                    << r.error->what();
            }
        }
        else if (what == action::fail) {
            ASSERT_TRUE(r.error) << "a failed step did not fail the call";
            EXPECT_TRUE(r.error->code() == ins::errc::connection_failed ||
                        r.error->code() == ins::errc::tls_failed)
                << r.error->what();
            EXPECT_EQ(r.stats.idle, 0u);  // a failed connection is never pooled
        }
        else if (!(last && r.value)) {
            ASSERT_TRUE(r.error) << "a cancelled call gave a value before its body";
            EXPECT_EQ(r.error->code(), ins::errc::cancelled) << r.error->what();
            // A connection cancelled mid-exchange is never pooled (one whose response had
            // fully arrived before the cancellation may be).
            // (with a retry, the 503's exchange had completed and may be pooled)
            if (!retry && clean.steps[n] != net::io_step::read_body) {
                EXPECT_EQ(r.stats.idle, 0u);
            }
        }
    }
}

}  // namespace

TEST(FailMatrix, EveryStepOfACallFails)
{
    for (bool tls : {false, true})
        matrix(tls, false, action::fail);
}

TEST(FailMatrix, EveryStepOfAStreamFails)
{
    for (bool tls : {false, true})
        matrix(tls, true, action::fail);
}

// The same with a 503 retried after a backoff sleep: the sleep is a step too.
TEST(FailMatrix, EveryStepOfARetriedCallAndStreamFails)
{
    for (bool stream : {false, true}) {
        matrix(false, stream, action::fail, true);
        matrix(false, stream, action::cancel, true);
    }
}

TEST(CancelMatrix, EveryStepOfACallIsCancelled)
{
    for (bool tls : {false, true})
        matrix(tls, false, action::cancel);
}

TEST(CancelMatrix, EveryStepOfAStreamIsCancelled)
{
    for (bool tls : {false, true})
        matrix(tls, true, action::cancel);
}

}  // namespace fail_matrix_test
