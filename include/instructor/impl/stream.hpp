// The typed targets of the streams (template bodies of stream.hpp): the partial object, the
// list items, the tool calls of a variant, and the Iterable wire shape.
#pragma once

#include <instructor/detail/stream_repair.hpp>
#include <instructor/stream.hpp>

namespace instructor {

namespace detail {

/// create_partial's target: one decoder, a snapshot whenever the value changed.
template <class T>
struct partial_state final : stream_state<partial<T>>, answer_target {
    std::unique_ptr<decoder<T>> dec;
    std::optional<stream_repair> repair;  // when options.repair: lenient text made strict
    std::uint64_t shown = 0;
    int attempt = 0;
    bool restarted = false;
    bool valid = false;
    bool final_given = false;

    void begin_attempt(int a) override
    {
        attempt = a;
        restarted = a > 1;
        dec = std::make_unique<decoder<T>>(options);
        dec->session().ignore_trailing_text();
        repair.reset();
        if (options.repair)
            repair.emplace();
        shown = 0;
        valid = false;
    }
    void feed(std::size_t call, std::string_view, std::string_view text) override
    {
        if (call == 0 && !dec->done())
            write_through(repair, *dec, text);
    }
    bool ready() const override { return dec && dec->session().changes() != shown; }
    bool finish(std::vector<validation_issue>& issues) override
    {
        repairs.clear();
        finish_through(repair, *dec, repairs);
        valid = dec->finish();
        if (!valid)
            issues = dec->issues();
        return valid;
    }
    std::optional<partial<T>> take() override
    {
        if (!dec)
            return std::nullopt;
        if (valid) {
            if (final_given)
                return std::nullopt;
            final_given = true;
            return partial<T>(dec->value(), &dec->session(), attempt, false, true);
        }
        if (dec->session().changes() == shown)
            return std::nullopt;
        shown = dec->session().changes();
        bool r = restarted;
        restarted = false;
        return partial<T>(dec->value(), &dec->session(), attempt, r, false);
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
    static boost::json::object const schema = [] {
        schema_builder b(type_key<iterable_of<T>>());
        boost::json::object o;
        o["type"] = "object";
        o["title"] = "Iterable" + model_name<T>();
        o["properties"] = boost::json::object{
            {"tasks", boost::json::object{{"type", "array"}, {"items", schema_of<T>(b, nullptr)}}}};
        o["required"] = boost::json::array{"tasks"};
        auto defs = b.take_defs();
        if (!defs.empty())
            o["$defs"] = std::move(defs);
        return o;
    }();
    static boost::json::object const parameters = [] {
        auto p = schema;
        p.erase("title");
        return p;
    }();
    static boost::json::object const strict_parameters = make_strict(parameters);
    static std::string const name = "Iterable" + model_name<T>();
    return {name, {}, &schema, &parameters, &strict_parameters};
}

template <class T>
sink_ref iterable_sink()
{
    static member_entry const members[] = {
        {"tasks", &sink_for<std::vector<T>>,
         [](void* o) -> void* { return &static_cast<iterable_of<T>*>(o)->tasks; }, nullptr, true}};
    static model_meta const meta{"Iterable", members, 1, nullptr};
    return {&model_sink(), &meta};
}

/// create_iterable's target: items handed out as their closing brace arrives.
template <class T>
struct iterable_state final : stream_state<T>, answer_target {
    std::unique_ptr<iterable_of<T>> value;
    std::unique_ptr<decode_session> session;
    std::optional<stream_repair> repair;
    std::deque<std::size_t> ready_items;  // indexes into value->tasks
    std::size_t closed = 0;               // items closed so far (valid or not)
    std::size_t given = 0;
    bool broken = false;                  // an item failed: nothing more is handed out

    static void on_done(void* self, std::size_t depth, bool ok)
    {
        auto& s = *static_cast<iterable_state*>(self);
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
    }
    void feed(std::size_t call, std::string_view, std::string_view text) override
    {
        if (call == 0 && !session->done())
            write_through(repair, *session, text);
    }
    bool ready() const override { return !ready_items.empty(); }
    bool finish(std::vector<validation_issue>& issues) override
    {
        repairs.clear();
        finish_through(repair, *session, repairs);
        if (session->finish() && !broken)
            return true;
        issues = session->issues();
        return false;
    }
    bool may_reask() const override { return given == 0; }
    std::optional<T> take() override
    {
        if (ready_items.empty())
            return std::nullopt;
        std::size_t i = ready_items.front();
        ready_items.pop_front();
        ++given;
        return std::move(value->tasks[i]);  // the decoder never touches a closed item again
    }
};

/// create_iterable over a std::variant (parallel_tools): one decoder per tool call, of the
/// alternative the call names; each item is handed out when its call's arguments close.
template <class V>
struct variant_iterable_state;

template <class... A>
struct variant_iterable_state<std::variant<A...>> final : stream_state<std::variant<A...>>,
                                                          answer_target {
    using V = std::variant<A...>;
    struct call {
        std::unique_ptr<V> value;
        std::unique_ptr<decode_session> session;
        std::optional<stream_repair> repair;
        bool closed = false;
    };
    std::vector<call> calls;
    std::deque<std::size_t> ready_items;
    std::size_t given = 0;
    std::vector<validation_issue> problems;

    void begin_attempt(int) override
    {
        calls.clear();
        ready_items.clear();
        problems.clear();
        repairs.clear();
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
    void feed(std::size_t index, std::string_view name, std::string_view text) override
    {
        if (index >= calls.size())
            calls.resize(index + 1);
        auto& c = calls[index];
        if (!c.value) {
            c.value = std::make_unique<V>();
            c.session = session_for(name, *c.value);
            if (options.repair)
                c.repair.emplace();
            if (!c.session)
                problems.push_back({std::to_string(index), "Unknown function '" + std::string(name) + "'",
                                    issue_kind::type});
        }
        if (!c.session || c.closed)
            return;
        write_through(c.repair, *c.session, text);
        if (c.session->done())
            close(index);
    }
    /// A call's arguments are complete: hand the item out, or keep its issues.
    void close(std::size_t index)
    {
        auto& c = calls[index];
        c.closed = true;
        finish_through(c.repair, *c.session, repairs);
        if (c.session->finish())
            ready_items.push_back(index);
        else
            for (auto const& i : c.session->issues())
                problems.push_back(i);
    }
    bool ready() const override { return !ready_items.empty(); }
    bool finish(std::vector<validation_issue>& issues) override
    {
        for (std::size_t i = 0; i < calls.size(); ++i) {
            auto& c = calls[i];
            if (c.session && !c.closed)
                close(i);
        }
        issues = problems;
        return problems.empty();
    }
    bool may_reask() const override { return given == 0; }
    std::optional<V> take() override
    {
        if (ready_items.empty())
            return std::nullopt;
        auto i = ready_items.front();
        ready_items.pop_front();
        ++given;
        return std::move(*calls[i].value);
    }
};

template <class T>
struct is_variant_of_models : std::false_type {};
template <class... A>
struct is_variant_of_models<std::variant<A...>> : std::true_type {};

}  // namespace detail

}  // namespace instructor
