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

#include <instructor/batch.hpp>
#include <instructor/client_options.hpp>
#include <instructor/completion.hpp>
#include <instructor/decode.hpp>
#include <instructor/detail/batch_core.hpp>
#include <instructor/detail/client_core.hpp>
#include <instructor/model_name.hpp>
#include <instructor/net/http_client.hpp>
#include <instructor/rate_limit.hpp>
#include <instructor/request.hpp>
#include <instructor/schema.hpp>
#include <instructor/stream.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <string>
#include <type_traits>
#include <optional>
#include <span>
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
template <class T>
struct value_check;
template <class T>
struct partial_check;
template <class T>
struct answer_shape;
template <class T>
struct batch_results_state;
template <class T>
struct merged_results_state;
struct client_access;  // lib/client/client_access.hpp (tests)

/// A completion token for an operation that yields an R or an exception (the options
/// aggregates are never taken for one).
template <class Token, class R>
concept token_for = boost::asio::completion_token_for<Token, void(std::exception_ptr, R)> &&
                    !std::is_same_v<std::decay_t<Token>, batch_options> &&
                    !std::is_same_v<std::decay_t<Token>, wait_options> &&
                    !std::is_same_v<std::decay_t<Token>, list_options>;

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

    /// Every operation of the client also takes any Asio completion token as its last argument
    /// (use_future, deferred, a callback `void(std::exception_ptr, R)`, with a bound
    /// cancellation slot or executor); without one it returns an awaitable (use_awaitable).
    template <class T, detail::token_for<T> CompletionToken>
    auto create(request req, CompletionToken&& token) const
    {
        return spawn(create<T>(std::move(req)), std::forward<CompletionToken>(token));
    }
    template <class T, detail::token_for<with_completion<T>> CompletionToken>
    auto create_with_completion(request req, CompletionToken&& token) const
    {
        return spawn(create_with_completion<T>(std::move(req)),
                     std::forward<CompletionToken>(token));
    }

    /// create() with any Asio completion token; the default token is deferred.
    template <class T, class CompletionToken = boost::asio::deferred_t>
    auto async_create(request req, CompletionToken&& token = {}) const
    {
        return spawn(create<T>(std::move(req)), std::forward<CompletionToken>(token));
    }

    /// Streams the object as it is built: a snapshot each time it grows, then the final,
    /// validated object (see stream.hpp for re-asks and errors). No I/O until the first next().
    template <class T>
    stream<partial<T>> create_partial(request req) const
    {
        auto s = std::make_unique<detail::driven_stream<detail::partial_target<T>, partial<T>>>(state_);
        if constexpr (detail::async_checked<T>::value)  // the final object waits for them
            s->check = std::make_unique<detail::partial_check<T>>(s->target);
        s->driver = std::make_unique<detail::stream_driver>(state_, std::move(req), s->target,
                                                            s->check.get());
        return stream<partial<T>>(std::move(s));
    }

    /// Streams the items of the list the model writes (`{"tasks": [T, ...]}`, named
    /// `Iterable<T's name>`), each decoded and validated as soon as its closing brace arrives.
    template <class T>
    stream<T> create_iterable(request req) const
    {
        if constexpr (detail::is_variant_of_models<T>::value) {
            auto s = std::make_unique<detail::driven_stream<detail::variant_iterable_target<T>, T>>(state_);
            s->driver = std::make_unique<detail::stream_driver>(state_, std::move(req), s->target);
            return stream<T>(std::move(s));
        }
        else {
            auto s = std::make_unique<detail::driven_stream<detail::iterable_target<T>, T>>(state_);
            s->driver = std::make_unique<detail::stream_driver>(state_, std::move(req), s->target);
            return stream<T>(std::move(s));
        }
    }

    // Batches (batch.hpp). Each throws ins::error; none retries a failed line by itself.

    /// Writes one line per request (the body create<T> would send in the client's mode, or
    /// the request's own mode, the same for every request), checks the provider's limits,
    /// uploads and creates the batch. `reqs` must outlive the awaitable: co_await it in the
    /// same statement.
    template <class T>
    boost::asio::awaitable<batch> create_batch(std::span<request const> reqs,
                                               batch_options opts) const
    {
        return detail::run_create_batch(state_, reqs, detail::value_target<T>::spec_tools(),
                                        detail::many_alternatives<T>::value, std::move(opts));
    }
    // (Overloads, not default arguments: GCC 12 mishandles a default argument's temporary in
    // the caller's co_await expression.)
    template <class T>
    boost::asio::awaitable<batch> create_batch(std::span<request const> reqs) const
    {
        batch_options opts;
        return create_batch<T>(reqs, std::move(opts));
    }
    /// The batch now: status and request counts. Given a batch, its `mode` is carried over
    /// when the provider does not keep it (Anthropic).
    boost::asio::awaitable<batch> retrieve_batch(std::string id) const;
    boost::asio::awaitable<batch> retrieve_batch(batch const& b) const;
    /// Polls until the batch reaches a terminal status (see wait_options); cancelling the
    /// awaiting coroutine stops the polling, not the batch. Given a batch, as retrieve_batch.
    boost::asio::awaitable<batch> wait_batch(std::string id, wait_options opts) const;
    boost::asio::awaitable<batch> wait_batch(std::string id) const;
    boost::asio::awaitable<batch> wait_batch(batch const& b, wait_options opts) const;
    boost::asio::awaitable<batch> wait_batch(batch const& b) const;
    /// Asks the provider to cancel the batch; returns it as it is then (often "cancelling").
    boost::asio::awaitable<batch> cancel_batch(std::string id) const;
    /// One page of the account's batches, newest first.
    boost::asio::awaitable<batch_page> list_batches(list_options opts) const;
    boost::asio::awaitable<batch_page> list_batches() const;

    // The batch operations with a completion token (see create()).
    template <class T, detail::token_for<batch> CompletionToken>
    auto create_batch(std::span<request const> reqs, batch_options opts, CompletionToken&& token) const
    {
        return spawn(create_batch<T>(reqs, std::move(opts)), std::forward<CompletionToken>(token));
    }
    template <class T, detail::token_for<batch> CompletionToken>
    auto create_batch(std::span<request const> reqs, CompletionToken&& token) const
    {
        return spawn(create_batch<T>(reqs), std::forward<CompletionToken>(token));
    }
    template <class Id, detail::token_for<batch> CompletionToken>
        requires std::is_convertible_v<Id const&, std::string> || std::is_same_v<Id, batch>
    auto retrieve_batch(Id const& id, CompletionToken&& token) const
    {
        return spawn(retrieve_batch(id), std::forward<CompletionToken>(token));
    }
    template <class Id, detail::token_for<batch> CompletionToken>
        requires std::is_convertible_v<Id const&, std::string> || std::is_same_v<Id, batch>
    auto wait_batch(Id const& id, wait_options opts, CompletionToken&& token) const
    {
        return spawn(wait_batch(id, std::move(opts)), std::forward<CompletionToken>(token));
    }
    template <class Id, detail::token_for<batch> CompletionToken>
        requires std::is_convertible_v<Id const&, std::string> || std::is_same_v<Id, batch>
    auto wait_batch(Id const& id, CompletionToken&& token) const
    {
        return spawn(wait_batch(id), std::forward<CompletionToken>(token));
    }
    template <detail::token_for<batch> CompletionToken>
    auto cancel_batch(std::string id, CompletionToken&& token) const
    {
        return spawn(cancel_batch(std::move(id)), std::forward<CompletionToken>(token));
    }
    template <detail::token_for<batch_page> CompletionToken>
    auto list_batches(list_options opts, CompletionToken&& token) const
    {
        return spawn(list_batches(std::move(opts)), std::forward<CompletionToken>(token));
    }
    template <detail::token_for<batch_page> CompletionToken>
    auto list_batches(CompletionToken&& token) const
    {
        return spawn(list_batches(), std::forward<CompletionToken>(token));
    }

    /// The results of a finished batch, one per line as the files are read (a file is never
    /// held whole): each answer decoded and validated into T, or its issues, or the
    /// provider's error for the line. OpenAI: the output file's lines, then the error file's.
    /// Validators see no request::context here (results do not carry the requests);
    /// retry_batch_failures judges each line with its request's context.
    template <class T>
    stream<batch_result<T>> batch_results(batch const& b) const
    {
        return stream<batch_result<T>>(std::make_unique<detail::batch_results_state<T>>(state_, b));
    }

    /// The second pass: a new batch that re-asks the lines of `b` whose answers did not
    /// validate (their messages, the model's answer and the validation errors, as create<T>
    /// re-asks), each under its original custom_id. `reqs` and `opts.custom_ids` as given to
    /// create_batch. std::nullopt when no line needs it.
    template <class T>
    boost::asio::awaitable<std::optional<batch>> retry_batch_failures(
        batch const& b, std::span<request const> reqs, batch_options opts) const
    {
        return retry_in<T>(state_, b, reqs, std::move(opts));
    }
    template <class T>
    boost::asio::awaitable<std::optional<batch>> retry_batch_failures(
        batch const& b, std::span<request const> reqs) const
    {
        batch_options opts;
        return retry_in<T>(state_, b, reqs, std::move(opts));
    }

    /// One final result per custom_id of `first`: its own, or for a line that did not
    /// validate, the answer of `second` (the retry pass; attempt 2) when it has one. The
    /// second batch's results are read first and held (one per retried line).
    template <class T>
    stream<batch_result<T>> merged_batch_results(batch const& first,
                                                 std::optional<batch> const& second) const
    {
        return stream<batch_result<T>>(
            std::make_unique<detail::merged_results_state<T>>(state_, first, second));
    }

    /// Adds a handler for every later call of this client (and its copies); its id is for
    /// off().
    hook_id on(hook kind, hook_handler fn);
    /// Removes the handler `id` names from calls that start afterwards (a call keeps the
    /// handlers it started with); false when this client holds none by that id.
    bool off(hook_id id);

    client_options const& options() const noexcept { return detail::options_of(*state_); }

    /// The connection pool now: connections opened so far, idle and in use (for monitoring).
    net::pool_stats transport_stats() const;
    /// What client_options::rate_limit has made calls wait (this client and its copies);
    /// nullopt without one. A shared limiter's are its own stats().
    std::optional<instructor::rate_limit_stats> rate_limit_stats() const;
    boost::asio::any_io_executor const& get_executor() const noexcept
    {
        return detail::executor_of(*state_);
    }

private:
    /// Runs `op` on the client's executor and completes `token` with its outcome; the token's
    /// cancellation slot reaches the operation (errc::cancelled).
    template <class R, class CompletionToken>
    auto spawn(boost::asio::awaitable<R> op, CompletionToken&& token) const
    {
        return boost::asio::co_spawn(get_executor(), std::move(op),
                                     std::forward<CompletionToken>(token));
    }

    // The coroutines own a reference to the state: a call may outlive the handle it came from.
    template <class T>
    static boost::asio::awaitable<T> create_in(std::shared_ptr<detail::client_state> s, request req)
    {
        T out{};
        detail::value_target<T> target(out);
        try {
            if constexpr (detail::async_checked<T>::value) {
                detail::value_check<T> check(out);
                co_await detail::run_call(s, req, target, &check, nullptr);
            }
            else {
                co_await detail::run_call(s, req, target, nullptr, nullptr);
            }
        }
        catch (...) {  // Asio's own cancellation exceptions included
            detail::rethrow_as_error(*s, std::current_exception());
        }
        co_return out;
    }
    template <class T>
    static boost::asio::awaitable<with_completion<T>> create_with_completion_in(
        std::shared_ptr<detail::client_state> s, request req)
    {
        with_completion<T> r{};
        detail::value_target<T> target(r.value);
        try {
            if constexpr (detail::async_checked<T>::value) {
                detail::value_check<T> check(r.value);
                co_await detail::run_call(s, req, target, &check, &r.completion);
            }
            else {
                co_await detail::run_call(s, req, target, nullptr, &r.completion);
            }
        }
        catch (...) {
            detail::rethrow_as_error(*s, std::current_exception());
        }
        co_return r;
    }

    template <class T>
    static boost::asio::awaitable<std::optional<batch>> retry_in(
        std::shared_ptr<detail::client_state> s, batch b, std::span<request const> reqs,
        batch_options opts)
    {
        T value{};
        detail::value_target<T> target(value);
        co_return co_await detail::run_retry_batch(std::move(s), std::move(b), reqs,
                                                   detail::value_target<T>::spec_tools(),
                                                   detail::many_alternatives<T>::value, target,
                                                   std::move(opts));
    }

    friend struct detail::client_access;
    std::shared_ptr<detail::client_state> state_;
};

}  // namespace instructor

#include <instructor/impl/client.hpp>
#include <instructor/impl/batch.hpp>
