// Runs a coroutine test on its own io_context with a deadline, so no test can hang.
#pragma once

#include <instructor/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <optional>

namespace test {

/// The errc an operation completed with (std::nullopt: none, or not an instructor::error).
inline std::optional<instructor::errc> errc_of(std::exception_ptr e)
{
    try {
        if (e)
            std::rethrow_exception(e);
    }
    catch (instructor::error const& err) {
        return err.code_enum();
    }
    catch (...) {
    }
    return std::nullopt;
}

/// What `f()` threw (null when it returned).
template <class F>
std::exception_ptr thrown(F&& f)
{
    try {
        f();
    }
    catch (...) {
        return std::current_exception();
    }
    return nullptr;
}

/// Runs `make(executor)` (returning awaitable<void>) to completion within `limit`; rethrows
/// what it threw, fails the test if it did not finish.
template <class Make>
void run_async(Make make, std::chrono::milliseconds limit = std::chrono::seconds(30))
{
    boost::asio::io_context ioc;
    std::exception_ptr error;
    bool done = false;
    boost::asio::co_spawn(ioc, make(ioc.get_executor()), [&](std::exception_ptr e) {
        error = e;
        done = true;
    });
    ioc.run_for(limit);
    if (!done)
        FAIL() << "the coroutine did not finish within " << limit.count() << " ms";
    if (error)
        std::rethrow_exception(error);
}

/// Runs `body(client)` on a fresh `Client{executor, options}`; returns the instructor::error it
/// threw, if any.
template <class Client, class Options, class Body>
std::optional<instructor::error> with(Options const& options, Body body)
{
    std::optional<instructor::error> err;
    run_async([&](boost::asio::any_io_executor ex) -> boost::asio::awaitable<void> {
        Client c(ex, options);
        try {
            co_await body(c);
        }
        catch (instructor::error const& e) {
            err = e;
        }
    });
    return err;
}

}  // namespace test
