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

/// `parameters`: the schema without the root's title and description (those go to the
/// function itself), cached per type.
template <class T>
tool_spec tool_spec_for()
{
    static boost::json::object const parameters = [] {
        auto p = json_schema<T>();
        p.erase("title");
        p.erase("description");
        return p;
    }();
    static boost::json::object const strict_parameters = make_strict(parameters);
    auto const& ann = annotations_of<T>();
    return {model_name<T>(), std::string(ann.info.description), &json_schema<T>(), &parameters,
            &strict_parameters};
}

template <class T>
struct many_alternatives : std::false_type {};
template <class... A>
struct many_alternatives<std::vector<std::variant<A...>>> : std::true_type {};

/// create<T>'s target: each whole answer decoded into T.
template <class T>
struct value_target final : answer_target {
    static_assert(described_model<T>,
                  "create<T>: T must be a BOOST_DESCRIBE_STRUCT model, or a "
                  "std::vector<std::variant<...>> of models for parallel_tools");
    T& out;
    bool ok = false;
    std::vector<validation_issue> issues;

    explicit value_target(T& o) : out(o) {}
    static std::vector<tool_spec> tools() { return {tool_spec_for<T>()}; }

    void begin_attempt(int) override
    {
        out = T{};
        ok = false;
        issues.clear();
    }
    void feed(std::size_t, std::string_view, std::string_view text) override
    {
        auto r = decode<T>(text);
        ok = bool(r);
        if (ok)
            out = std::move(*r.value);
        else
            issues = std::move(r.issues);
    }
    bool finish(std::vector<validation_issue>& out_issues) override
    {
        if (!ok)
            out_issues = std::move(issues);
        return ok;
    }
};

/// parallel_tools' target: every tool call decoded into the alternative it names.
template <class... A>
struct value_target<std::vector<std::variant<A...>>> final : answer_target {
    std::vector<std::variant<A...>>& out;
    std::vector<validation_issue> issues;

    explicit value_target(std::vector<std::variant<A...>>& o) : out(o) {}
    static std::vector<tool_spec> tools() { return {tool_spec_for<A>()...}; }

    void begin_attempt(int) override
    {
        out.clear();
        issues.clear();
    }
    void feed(std::size_t, std::string_view tool, std::string_view text) override
    {
        bool known = false;
        (
            [&] {
                if (known || tool != model_name<A>())
                    return;
                known = true;
                auto r = decode<A>(text);
                if (r)
                    out.emplace_back(std::move(*r.value));
                else
                    for (auto& i : r.issues)
                        issues.push_back(std::move(i));
            }(),
            ...);
        if (!known)
            issues.push_back({{}, "Unknown function '" + std::string(tool) + "'", issue_kind::type});
    }
    bool finish(std::vector<validation_issue>& out_issues) override
    {
        out_issues = issues;
        return issues.empty();
    }
};

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
            req.mode = mode::parallel_tools;
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
    boost::asio::any_io_executor const& get_executor() const noexcept
    {
        return detail::executor_of(*state_);
    }

private:
    // The coroutines own a reference to the state: a call may outlive the handle it came from.
    template <class T>
    static boost::asio::awaitable<T> create_in(std::shared_ptr<detail::client_state> s, request req)
    {
        T out{};
        detail::value_target<T> target(out);
        co_await detail::run_call(std::move(s), std::move(req), target.tools(),
                                  detail::many_alternatives<T>::value, target);
        co_return out;
    }
    template <class T>
    static boost::asio::awaitable<with_completion<T>> create_with_completion_in(
        std::shared_ptr<detail::client_state> s, request req)
    {
        with_completion<T> r{};
        detail::value_target<T> target(r.value);
        r.completion = co_await detail::run_call(std::move(s), std::move(req), target.tools(),
                                                 detail::many_alternatives<T>::value, target);
        co_return r;
    }

    std::shared_ptr<detail::client_state> state_;
};

}  // namespace instructor
