// The typed targets of a call (template bodies of client.hpp): the response model on the wire,
// and each answer decoded into the caller's value.
#pragma once

#include <instructor/client.hpp>

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
        repairs.clear();
    }
    void feed(std::size_t, std::string_view, std::string_view text) override
    {
        auto r = decode<T>(text, options);
        ok = bool(r);
        if (ok) {
            out = std::move(*r.value);
            repairs = std::move(r.repairs);
        }
        else {
            issues = std::move(r.issues);
        }
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
        repairs.clear();
    }
    void feed(std::size_t, std::string_view tool, std::string_view text) override
    {
        bool known = false;
        (
            [&] {
                if (known || tool != model_name<A>())
                    return;
                known = true;
                auto r = decode<A>(text, options);
                if (r) {
                    out.emplace_back(std::move(*r.value));
                    repairs.insert(repairs.end(), r.repairs.begin(), r.repairs.end());
                }
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

}  // namespace instructor
