// The client: create<T>() asks a model for a T and returns it validated.
//
// Thread safety: a client is a handle to shared state (its connection pool, options and
// hooks); copies share it. Every member may be called concurrently from any thread, and many
// calls may be in flight at once on one thread or on a pool. on() may be called while calls
// run: a call uses the handlers registered when it started.
//
// Per-operation cancellation: the calls honour the awaiting coroutine's (or the completion
// token's) cancellation slot; a cancelled call throws ins::error(errc::cancelled) and its
// connection is closed, not pooled.
#pragma once

#include <instructor/client_options.hpp>
#include <instructor/completion.hpp>
#include <instructor/decode.hpp>
#include <instructor/detail/client_core.hpp>
#include <instructor/model_name.hpp>
#include <instructor/net/http_client.hpp>
#include <instructor/request.hpp>
#include <instructor/schema.hpp>
#include <instructor/stream.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <variant>
#include <vector>

namespace instructor {

namespace detail {

template <class T>
tool_spec tool_spec_for();
template <class T>
struct many_alternatives;
template <class T>
struct value_target;
struct client_access;  // lib/client/client_access.hpp (tests)

}  // namespace detail

class client {
public:
    /// `executor`: any Asio executor; the client's I/O runs there.
    client(boost::asio::any_io_executor executor, client_options options);

    /// Asks for a T and returns it validated; re-asks on validation errors. Throws ins::error.
    template <class T>
    boost::asio::awaitable<T> create(request req) const
    {
        return create_in<T>(state_, std::move(req));
    }

    /// Like create(), with the raw completion, usage summed over attempts and attempt count.
    template <class T>
    boost::asio::awaitable<with_completion<T>> create_with_completion(request req) const
    {
        return create_with_completion_in<T>(state_, std::move(req));
    }

    /// create() with any Asio completion token (use_awaitable, use_future, deferred, a
    /// callback `void(std::exception_ptr, T)`). The default token is deferred.
    template <class T, class CompletionToken = boost::asio::deferred_t>
    auto async_create(request req, CompletionToken&& token = {}) const
    {
        return boost::asio::co_spawn(get_executor(), create<T>(std::move(req)),
                                     std::forward<CompletionToken>(token));
    }

    /// Streams the object as it is built: a snapshot each time it grows, then the final,
    /// validated object (see stream.hpp for re-asks and errors). No I/O until the first next().
    template <class T>
    stream<partial<T>> create_partial(request req) const
    {
        auto s = std::make_unique<detail::partial_state<T>>();
        s->driver = std::make_unique<detail::stream_driver>(
            state_, std::move(req), std::vector<detail::tool_spec>{detail::tool_spec_for<T>()},
            false, *s);
        return stream<partial<T>>(std::move(s));
    }

    /// Streams the items of the list the model writes (`{"tasks": [T, ...]}`, named
    /// `Iterable<T's name>`), each decoded and validated as soon as its closing brace arrives.
    template <class T>
    stream<T> create_iterable(request req) const
    {
        if constexpr (detail::is_variant_of_models<T>::value) {
            auto s = std::make_unique<detail::variant_iterable_state<T>>();
            std::vector<detail::tool_spec> tools;
            [&]<class... A>(std::variant<A...>*) {
                (tools.push_back(detail::tool_spec_for<A>()), ...);
            }(static_cast<T*>(nullptr));
            req.mode = parallel_mode_of(req.mode.value_or(options().mode));
            s->driver = std::make_unique<detail::stream_driver>(state_, std::move(req),
                                                                std::move(tools), true, *s);
            return stream<T>(std::move(s));
        }
        else {
            auto s = std::make_unique<detail::iterable_state<T>>();
            s->driver = std::make_unique<detail::stream_driver>(
                state_, std::move(req), std::vector<detail::tool_spec>{detail::iterable_spec<T>()},
                false, *s);
            return stream<T>(std::move(s));
        }
    }

    /// Adds a handler for every later call of this client (and its copies).
    void on(hook kind, hook_handler fn);

    client_options const& options() const noexcept { return detail::options_of(*state_); }

    /// The connection pool now: connections opened so far, idle and in use (for monitoring).
    net::pool_stats transport_stats() const;
    boost::asio::any_io_executor const& get_executor() const noexcept
    {
        return detail::executor_of(*state_);
    }

private:
    // The coroutines own a reference to the state: a call may outlive the handle it came from.
    /// A std::vector<std::variant<...>> is asked in the parallel-tools mode of the API the
    /// request speaks (parallel_tools, anthropic_parallel_tools, responses_parallel_tools).
    template <class T>
    static void choose_mode(detail::client_state const& s, request& req)
    {
        if constexpr (detail::many_alternatives<T>::value)
            req.mode = parallel_mode_of(req.mode.value_or(detail::options_of(s).mode));
    }

    template <class T>
    static boost::asio::awaitable<T> create_in(std::shared_ptr<detail::client_state> s, request req)
    {
        choose_mode<T>(*s, req);
        T out{};
        detail::value_target<T> target(out);
        try {
            co_await detail::run_call(std::move(s), std::move(req), target.tools(),
                                      detail::many_alternatives<T>::value, target);
        }
        catch (...) {  // Asio's own cancellation exceptions included
            detail::rethrow_as_error(std::current_exception());
        }
        co_return out;
    }
    template <class T>
    static boost::asio::awaitable<with_completion<T>> create_with_completion_in(
        std::shared_ptr<detail::client_state> s, request req)
    {
        choose_mode<T>(*s, req);
        with_completion<T> r{};
        detail::value_target<T> target(r.value);
        try {
            r.completion = co_await detail::run_call(std::move(s), std::move(req), target.tools(),
                                                     detail::many_alternatives<T>::value, target);
        }
        catch (...) {
            detail::rethrow_as_error(std::current_exception());
        }
        co_return r;
    }

    friend struct detail::client_access;
    std::shared_ptr<detail::client_state> state_;
};

}  // namespace instructor

#include <instructor/impl/client.hpp>
