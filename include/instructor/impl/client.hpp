// The typed targets of a call (template bodies of client.hpp): the response model on the wire,
// and each answer decoded into the caller's value.
#pragma once

#include <instructor/client.hpp>
#include <instructor/detail/judgment.hpp>
#include <instructor/detail/response_shape.hpp>

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
    static std::string const parameters_json = schema_text(parameters);
    static std::string const strict_parameters_json = schema_text(strict_parameters);
    auto const& ann = annotations_of<T>();
    return {model_name<T>(),    std::string(ann.info.description), &json_schema<T>(),
            &parameters,        &strict_parameters,                parameters_json,
            strict_parameters_json};
}

template <class T>
struct many_alternatives : std::false_type {};
template <class... A>
struct many_alternatives<std::vector<std::variant<A...>>> : std::true_type {};

/// How a T answer looks on the wire: a model is itself; any other answer (wrapped_answer) is
/// the `Response` model around it. One judgment for calls, streams and batch lines.
template <class T>
struct answer_shape {
    static_assert(described_model<T> || wrapped_answer<T>,
                  "create<T>: T must be a BOOST_DESCRIBE_STRUCT model; bool, a number, "
                  "std::string, a described enum, a std::vector, a std::map<std::string, X> or a "
                  "std::variant of models; or a std::vector<std::variant<...>> of models for "
                  "parallel_tools");
    using wire_type = std::conditional_t<described_model<T>, T, response_of<T>>;

    static tool_spec spec()
    {
        if constexpr (described_model<T>)
            return tool_spec_for<T>();
        else
            return response_spec<T>();
    }
    static sink_ref sink()
    {
        if constexpr (described_model<T>)
            return sink_for<T>();
        else
            return response_sink<T>();
    }
    static T& unwrap(wire_type& w) noexcept
    {
        if constexpr (described_model<T>)
            return w;
        else
            return w.content;
    }
    /// The one judgment of a whole answer: into `out` when valid, else `issues`.
    static bool judge(std::string_view text, decode_options const& opts, T& out,
                      std::vector<validation_issue>& issues, std::vector<json_repair>& repairs)
    {
        if constexpr (described_model<T>) {
            return judge_answer(sink(), text, opts, out, issues, repairs);
        }
        else {
            wire_type w{};
            if (!judge_answer(sink(), text, opts, w, issues, repairs))
                return false;
            out = std::move(w.content);
            return true;
        }
    }
};

/// A model with `boost::asio::awaitable<void> validate_async(validation_context&) const`.
template <class T>
concept has_validate_async = requires(T const& t, validation_context& c) {
    { t.validate_async(c) } -> std::same_as<boost::asio::awaitable<void>>;
};

/// Whether a T answer has validators that wait: the model itself, the items of a list of
/// models, or an alternative of the parallel tools.
template <class T>
struct async_checked : std::bool_constant<has_validate_async<T>> {};
template <class M, class A>
struct async_checked<std::vector<M, A>> : async_checked<M> {};
template <class... A>
struct async_checked<std::variant<A...>> : std::bool_constant<(has_validate_async<A> || ...)> {};

/// One validate_async co_awaited: a std::exception it throws (not an ins::error, not Asio's
/// cancellation) is an issue, as in validate().
template <class M>
boost::asio::awaitable<void> run_validate_async(M const& m, validation_context& ctx)
{
    std::string failure;
    try {
        co_await m.validate_async(ctx);
        co_return;
    }
    catch (error const&) {
        throw;
    }
    catch (boost::system::system_error const&) {
        throw;
    }
    catch (std::exception const& e) {
        failure = e.what();
    }
    ctx.fail(failure);
}

template <class M>
boost::asio::awaitable<void> check_alternative(M const& m, validation_context& ctx)
{
    if constexpr (has_validate_async<M>)
        co_await run_validate_async(m, ctx);
    co_return;
}

template <class T>
boost::asio::awaitable<void> check_value_async(T const& v, validation_context& ctx)
{
    if constexpr (has_validate_async<T>) {
        co_await run_validate_async(v, ctx);
    }
    else if constexpr (is_vector<T>::value) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            auto item = ctx.nested(std::to_string(i));
            co_await check_value_async(v[i], item);
        }
    }
    else {
        static_assert(is_variant<T>::value);
        co_await std::visit([&](auto const& alt) { return check_alternative(alt, ctx); }, v);
    }
}

/// The validators that wait of a T answer, at the paths validate()'s issues use: under
/// `content` for an answer the `Response` model wraps, each call's index for parallel tools.
template <class T>
boost::asio::awaitable<void> check_answer_async(T const& value, validation_context& ctx)
{
    if constexpr (wrapped_answer<T> && !many_alternatives<T>::value) {
        auto content = ctx.nested("content");
        co_await check_value_async(value, content);
    }
    else {
        co_await check_value_async(value, ctx);
    }
}

/// create<T>'s validators that wait, on the value its target accepted.
template <class T>
struct value_check final : async_check {
    T const& value;
    explicit value_check(T const& v) : value(v) {}
    boost::asio::awaitable<void> run(validation_context& ctx) override
    {
        return check_answer_async(value, ctx);
    }
};

/// create_partial<T>'s validators that wait, on the final object before it is handed out.
template <class T>
struct partial_check final : async_check {
    partial_target<T>& target;
    explicit partial_check(partial_target<T>& t) : target(t) {}
    boost::asio::awaitable<void> run(validation_context& ctx) override
    {
        return check_answer_async(*target.judged, ctx);
    }
};

/// create<T>'s target: each whole answer judged into T.
template <class T>
struct value_target final : answer_target {
    T& out;
    bool ok = false;
    std::vector<validation_issue> issues;

    explicit value_target(T& o) : out(o) { tools = kept_tools<value_target>(&spec_tools); }
    static std::vector<tool_spec> spec_tools() { return {answer_shape<T>::spec()}; }

    void begin_attempt(int) override
    {
        out = T{};
        ok = false;
        issues.clear();
        repairs.clear();
    }
    void feed(std::size_t, std::string_view, std::string_view text) override
    {
        ok = answer_shape<T>::judge(text, options, out, issues, repairs);
    }
    bool finish(std::vector<validation_issue>& out_issues) override
    {
        if (!ok)
            out_issues = std::move(issues);
        return ok;
    }
    bool checks_async() const override { return async_checked<T>::value; }
};

/// parallel_tools' target: every tool call judged into the alternative it names.
template <class... A>
struct value_target<std::vector<std::variant<A...>>> final : answer_target {
    std::vector<std::variant<A...>>& out;
    std::vector<validation_issue> issues;

    explicit value_target(std::vector<std::variant<A...>>& o) : out(o)
    {
        tools = kept_tools<value_target>(&spec_tools);
        many = true;
    }
    static std::vector<tool_spec> spec_tools() { return {tool_spec_for<A>()...}; }

    void begin_attempt(int) override
    {
        out.clear();
        issues.clear();
        repairs.clear();
    }
    void feed(std::size_t, std::string_view tool, std::string_view text) override
    {
        std::variant<A...> v;
        if (judge_call(tool, text, options, v, issues, repairs))
            out.push_back(std::move(v));
    }
    bool finish(std::vector<validation_issue>& out_issues) override
    {
        out_issues = issues;
        return issues.empty();
    }
    bool checks_async() const override { return async_checked<std::variant<A...>>::value; }
};

}  // namespace detail

}  // namespace instructor
