// A response model back to JSON (for logs, caches, few-shot examples and the mock endpoint).
#pragma once

#include <instructor/detail/json_text.hpp>
#include <instructor/detail/type_traits.hpp>

#include <boost/describe/enumerators.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include <string>

namespace instructor {

namespace detail {

template <class T>
void write_json(std::string& out, T const& v)
{
    if constexpr (std::is_same_v<T, bool>) {
        out.append(v ? "true" : "false");
    }
    else if constexpr (integer<T>) {
        if constexpr (std::is_signed_v<T>)
            append_number(out, static_cast<std::int64_t>(v));
        else
            append_number(out, static_cast<std::uint64_t>(v));
    }
    else if constexpr (std::is_floating_point_v<T>) {
        append_number(out, static_cast<double>(v));
    }
    else if constexpr (std::is_same_v<T, std::string>) {
        append_json_string(out, v);
    }
    else if constexpr (std::is_same_v<T, boost::json::value>) {
        out.append(boost::json::serialize(v));
    }
    else if constexpr (described_enum<T>) {
        char const* name = nullptr;
        boost::mp11::mp_for_each<boost::describe::describe_enumerators<T>>([&](auto e) {
            if (!name && e.value == v)
                name = e.name;
        });
        if (name)
            append_json_string(out, name);
        else
            out.append("null");  // a value outside the described set has no JSON name
    }
    else if constexpr (is_optional<T>::value) {
        if (v)
            write_json(out, *v);
        else
            out.append("null");
    }
    else if constexpr (is_vector<T>::value) {
        out.push_back('[');
        bool first = true;
        for (auto const& e : v) {
            if (!first)
                out.push_back(',');
            first = false;
            write_json(out, e);
        }
        out.push_back(']');
    }
    else if constexpr (is_string_map<T>::value) {
        out.push_back('{');
        bool first = true;
        for (auto const& [k, e] : v) {
            if (!first)
                out.push_back(',');
            first = false;
            append_json_string(out, k);
            out.push_back(':');
            write_json(out, e);
        }
        out.push_back('}');
    }
    else if constexpr (is_variant<T>::value) {
        std::visit([&](auto const& alt) { write_json(out, alt); }, v);
    }
    else if constexpr (described_model<T>) {
        out.push_back('{');
        bool first = true;
        boost::mp11::mp_for_each<members_of<T>>([&](auto d) {
            if (!first)
                out.push_back(',');
            first = false;
            append_json_string(out, wire_name_of<T, decltype(d)>());
            out.push_back(':');
            write_json(out, v.*d.pointer);
        });
        out.push_back('}');
    }
    else {
        static_assert(sizeof(T) == 0, "unsupported member type in a response model");
    }
}

}  // namespace detail

/// T as compact JSON text, members in declaration order; absent optionals are written as null.
template <class T>
std::string to_json(T const& value)
{
    std::string out;
    detail::write_json(out, value);
    return out;
}

/// T as a JSON value.
template <class T>
boost::json::value to_value(T const& value)
{
    return boost::json::parse(to_json(value));
}

}  // namespace instructor
