// Answers that are not models (a number, a string, an enum, a list, a map, one of several
// models) travel wrapped, as Python Instructor's ModelAdapter does: a model named `Response`
// with one required property `content`. The caller gets the content; issues name paths under
// `content`.
#pragma once

#include <instructor/detail/schema_builder.hpp>
#include <instructor/detail/sinks.hpp>
#include <instructor/detail/tool_spec.hpp>
#include <instructor/detail/type_traits.hpp>
#include <instructor/schema.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <map>
#include <string>
#include <variant>
#include <vector>

namespace instructor::detail {

template <class T>
struct response_of {
    T content;
};

/// A T that create<T> takes as an answer of its own, wrapped on the wire.
template <class T>
concept wrapped_answer =
    !described_model<T> &&
    (std::is_same_v<T, bool> || integer<T> || std::is_floating_point_v<T> ||
     std::is_same_v<T, std::string> || described_enum<T> || is_vector<T>::value ||
     is_string_map<T>::value || is_variant<T>::value);

/// The tool of a model with one required property around other types (`Response.content`,
/// `Iterable<T>.tasks`): `property(builder)` gives the property's schema. Built once per
/// `Wrapper` type and kept, as json_schema<T>() is.
template <class Wrapper, class Property>
tool_spec wrapper_spec(std::string const& name, std::string_view property, Property make)
{
    static boost::json::object const schema = [&] {
        schema_builder b(type_key<Wrapper>());
        boost::json::object o;
        o["type"] = "object";
        o["title"] = name;
        o["properties"] = boost::json::object{{property, make(b)}};
        o["required"] = boost::json::array{boost::json::string(property)};
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
    static std::string const parameters_json = schema_text(parameters);
    static std::string const strict_parameters_json = schema_text(strict_parameters);
    return {name, {}, &schema, &parameters, &strict_parameters, parameters_json,
            strict_parameters_json};
}

/// The `Response` model's tool as the wires send it.
template <class T>
tool_spec response_spec()
{
    return wrapper_spec<response_of<T>>("Response", "content", [](schema_builder& b) {
        return schema_of<T>(b, nullptr);
    });
}

template <class T>
sink_ref response_sink()
{
    static member_entry const members[] = {
        {"content", sink_for<T>(),
         [](void* o) -> void* { return &static_cast<response_of<T>*>(o)->content; }, nullptr,
         true}};
    static model_meta const meta{"Response", members, 1, nullptr};
    return {&model_sink(), &meta};
}

}  // namespace instructor::detail
