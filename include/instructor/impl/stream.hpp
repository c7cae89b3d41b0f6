// The typed targets of the streams (template bodies of stream.hpp): the partial object, the
// list items, the tool calls of a variant, and the Iterable wire shape.
#pragma once

#include <instructor/detail/judgment.hpp>
#include <instructor/detail/response_shape.hpp>
#include <instructor/detail/stream_repair.hpp>
#include <instructor/encode.hpp>
#include <instructor/stream.hpp>

namespace instructor {

namespace detail {

/// create_partial's target: one decoder for provisional snapshots as the text arrives, and the
/// final snapshot from the one judgment of the whole answer (what create<T> would return).
template <class T>
struct partial_target final : answer_target {
    using shape = answer_shape<T>;
    using wire_type = typename shape::wire_type;
    std::unique_ptr<wire_type> building;  // what the snapshots show
    std::unique_ptr<decode_session> session;
    std::optional<stream_repair> repair;  // when options.repair: lenient text made strict
    std::unique_ptr<T> judged;            // the verdict's value
    std::vector<validation_issue> issues;
    std::uint64_t shown = 0;
    int attempt = 0;
    bool restarted = false;
    bool valid = false;
    bool final_given = false;

    partial_target()
    {
        tools = kept_tools<partial_target>([] { return std::vector<tool_spec>{shape::spec()}; });
    }

    void begin_attempt(int a) override
    {
        attempt = a;
        restarted = a > 1;
        session.reset();  // it points into `building`
        building = std::make_unique<wire_type>();
        session = std::make_unique<decode_session>(shape::sink(), building.get(), options);
        session->ignore_trailing_text();
        repair.reset();
        if (options.repair)
            repair.emplace();
        judged = std::make_unique<T>();
        issues.clear();
        repairs.clear();
        shown = 0;
        valid = false;
    }
    void piece(std::size_t call, std::string_view, std::string_view text) override
    {
        if (call == 0 && !session->done())
            write_through(repair, *session, text);
    }
    void feed(std::size_t call, std::string_view, std::string_view text) override
    {
        if (call == 0)
            valid = shape::judge(text, options, *judged, issues, repairs);
    }
    bool ready() const override { return session && session->changes() != shown; }
    bool finish(std::vector<validation_issue>& out) override
    {
        if (!valid)
            out = std::move(issues);
        return valid;
    }
    bool checks_async() const override { return async_checked<T>::value; }
    std::optional<partial<T>> take()
    {
        if (!session)
            return std::nullopt;
        if (valid) {
            if (final_given)
                return std::nullopt;
            final_given = true;
            return partial<T>(*judged, nullptr, attempt, std::exchange(restarted, false), true);
        }
        if (session->changes() == shown)
            return std::nullopt;
        shown = session->changes();
        return partial<T>(shape::unwrap(*building), session.get(), attempt,
                          std::exchange(restarted, false), false);
    }
};

/// The items a stream handed out before its verdict, as JSON: each must be the verdict's own.
struct handed_out {
    std::vector<std::pair<std::size_t, std::string>> items;  // (index in the verdict, JSON)

    template <class T>
    void add(std::size_t index, T const& item)
    {
        items.emplace_back(index, to_json(item));
    }
    /// An issue when an item handed out is not the verdict's item at its index.
    template <class Item>
    bool agree(Item const& item_at, std::vector<validation_issue>& issues) const
    {
        for (auto const& [i, json] : items)
            if (auto const* v = item_at(i); !v || to_json(*v) != json) {
                issues.push_back({std::to_string(i),
                                  "the item streamed at this index is not the item the whole "
                                  "reply holds there (the reply holds more than one reading)",
                                  issue_kind::syntax});
                return false;
            }
        return true;
    }
};

/// `{"tasks": [T, ...]}`: Python Instructor's Iterable wire shape.
template <class T>
struct iterable_of {
    std::vector<T> tasks;
};

template <class T>
tool_spec iterable_spec()
{
    return wrapper_spec<iterable_of<T>>("Iterable" + model_name<T>(), "tasks", [](schema_builder& b) {
        return boost::json::value(boost::json::object{{"type", "array"}, {"items", schema_of<T>(b, nullptr)}});
    });
}

template <class T>
sink_ref iterable_sink()
{
    static member_entry const members[] = {
        {"tasks", sink_for<std::vector<T>>(),
         [](void* o) -> void* { return &static_cast<iterable_of<T>*>(o)->tasks; }, nullptr, true}};
    static model_meta const meta{"Iterable", members, 1, nullptr};
    return {&model_sink(), &meta};
}

/// create_iterable's target: items handed out as their closing brace arrives (provisional
/// decoder), then the rest from the one judgment of the whole answer, which must hold every item
/// already handed out.
template <class T>
struct iterable_target final : answer_target {
    std::unique_ptr<iterable_of<T>> value;
    std::unique_ptr<decode_session> session;
    std::optional<stream_repair> repair;
    std::deque<std::size_t> ready_items;  // indexes into value->tasks, or judged->tasks once judged
    std::size_t closed = 0;               // items closed so far (valid or not)
    std::size_t given = 0;
    bool broken = false;                  // an item failed: nothing more is handed out
    std::unique_ptr<iterable_of<T>> judged;
    std::vector<validation_issue> issues;
    bool valid = false, verdict = false;
    handed_out out;

    iterable_target()
    {
        tools = kept_tools<iterable_target>(
            [] { return std::vector<tool_spec>{iterable_spec<T>()}; });
    }

    static void on_done(void* self, std::size_t depth, bool ok)
    {
        auto& s = *static_cast<iterable_target*>(self);
        if (depth != 2)  // 0: the wrapper, 1: tasks, 2: an item
            return;
        std::size_t index = s.closed++;
        if (!ok)
            s.broken = true;
        if (!s.broken)
            s.ready_items.push_back(index);
    }
    void begin_attempt(int) override
    {
        value = std::make_unique<iterable_of<T>>();
        session = std::make_unique<decode_session>(iterable_sink<T>(), value.get(), options);
        session->set_observer(&on_done, this);
        session->ignore_trailing_text();
        repair.reset();
        if (options.repair)
            repair.emplace();
        ready_items.clear();
        closed = 0;
        broken = false;
        judged = std::make_unique<iterable_of<T>>();
        issues.clear();
        repairs.clear();
        valid = verdict = false;
    }
    void piece(std::size_t call, std::string_view, std::string_view text) override
    {
        if (call == 0 && !session->done() && !verdict)
            write_through(repair, *session, text);
    }
    void feed(std::size_t call, std::string_view, std::string_view text) override
    {
        if (call == 0)
            valid = judge_answer(iterable_sink<T>(), text, options, *judged, issues, repairs);
    }
    bool ready() const override { return !ready_items.empty(); }
    bool finish(std::vector<validation_issue>& out_issues) override
    {
        verdict = true;
        ready_items.clear();
        auto const item_at = [&](std::size_t i) {
            return i < judged->tasks.size() ? &judged->tasks[i] : nullptr;
        };
        if (!valid || !out.agree(item_at, issues)) {
            out_issues = std::move(issues);
            return false;
        }
        for (std::size_t i = given; i < judged->tasks.size(); ++i)
            ready_items.push_back(i);
        return true;
    }
    bool may_reask() const override { return given == 0; }
    std::optional<T> take()
    {
        if (ready_items.empty())
            return std::nullopt;
        std::size_t i = ready_items.front();
        ready_items.pop_front();
        ++given;
        if (verdict)
            return std::move(judged->tasks[i]);
        out.add(i, value->tasks[i]);
        return std::move(value->tasks[i]);  // the decoder never touches a closed item again
    }
};

/// create_iterable over a std::variant (parallel_tools): one decoder per tool call, of the
/// alternative the call names; each item is handed out when its call's arguments close.
template <class V>
struct variant_iterable_target;

template <class... A>
struct variant_iterable_target<std::variant<A...>> final : answer_target {
    using V = std::variant<A...>;
    struct call {
        std::unique_ptr<V> value;
        std::unique_ptr<decode_session> session;
        std::optional<stream_repair> repair;
        bool closed = false;
    };
    std::vector<call> calls;              // provisional, one decoder per call
    std::deque<std::size_t> ready_items;  // call indexes
    std::size_t given = 0;
    std::vector<std::optional<V>> judged;  // the verdict, per call
    std::vector<validation_issue> issues;
    std::vector<bool> taken;               // per call: handed out already
    bool verdict = false;
    handed_out out;

    variant_iterable_target()
    {
        tools = kept_tools<variant_iterable_target>(
            [] { return std::vector<tool_spec>{tool_spec_for<A>()...}; });
        many = true;
    }

    void begin_attempt(int) override
    {
        calls.clear();
        ready_items.clear();
        judged.clear();
        issues.clear();
        taken.clear();
        repairs.clear();
        verdict = false;
    }
    /// A decoder writing alternative `name` into `value`; null for an unknown name.
    std::unique_ptr<decode_session> session_for(std::string_view name, V& value) const
    {
        std::unique_ptr<decode_session> s;
        (
            [&] {
                if (s || name != model_name<A>())
                    return;
                auto& alt = value.template emplace<A>();
                s = std::make_unique<decode_session>(sink_for<A>(), &alt, options);
            }(),
            ...);
        return s;
    }
    void piece(std::size_t index, std::string_view name, std::string_view text) override
    {
        if (verdict || index >= max_calls)
            return;
        if (index >= calls.size())
            calls.resize(index + 1);
        auto& c = calls[index];
        if (!c.value) {
            c.value = std::make_unique<V>();
            c.session = session_for(name, *c.value);
            if (options.repair)
                c.repair.emplace();
        }
        if (!c.session || c.closed)
            return;
        write_through(c.repair, *c.session, text);
        if (c.session->done()) {  // the call's arguments closed: hand the item out if valid
            c.closed = true;
            std::vector<json_repair> unused;
            finish_through(c.repair, *c.session, unused);
            if (c.session->finish())
                ready_items.push_back(index);
        }
    }
    void feed(std::size_t index, std::string_view name, std::string_view text) override
    {
        if (index >= max_calls)
            return;
        if (index >= judged.size())
            judged.resize(index + 1);
        V v;
        if (judge_call(name, text, options, v, issues, repairs))
            judged[index] = std::move(v);
    }
    bool ready() const override { return !ready_items.empty(); }
    bool finish(std::vector<validation_issue>& out_issues) override
    {
        verdict = true;
        ready_items.clear();
        auto const item_at = [&](std::size_t i) -> V const* {
            return i < judged.size() && judged[i] ? &*judged[i] : nullptr;
        };
        if (!issues.empty() || !out.agree(item_at, issues)) {
            out_issues = std::move(issues);
            return false;
        }
        for (std::size_t i = 0; i < judged.size(); ++i)
            if (judged[i] && !(i < taken.size() && taken[i]))
                ready_items.push_back(i);
        return true;
    }
    bool may_reask() const override { return given == 0; }
    std::optional<V> take()
    {
        if (ready_items.empty())
            return std::nullopt;
        auto i = ready_items.front();
        ready_items.pop_front();
        ++given;
        if (verdict)
            return std::move(*judged[i]);
        if (i >= taken.size())
            taken.resize(i + 1);
        taken[i] = true;
        out.add(i, *calls[i].value);
        return std::move(*calls[i].value);
    }

    static constexpr std::size_t max_calls = 256;  // the wires' limit (max_tool_calls)
};

template <class T>
struct is_variant_of_models : std::false_type {};
template <class... A>
struct is_variant_of_models<std::variant<A...>> : std::true_type {};

}  // namespace detail

}  // namespace instructor
