// Builds a JSON Schema from Boost.Describe reflection (the templates; the rest is in lib/).
#pragma once

#include <instructor/detail/type_traits.hpp>
#include <instructor/encode.hpp>
#include <instructor/model_name.hpp>

#include <boost/describe/enum_to_string.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace instructor::detail {

template <class T>
void const* type_key() noexcept
{
    static char const key = 0;
    return &key;
}

/// State of one schema build: the `$defs` collected so far and the names they were given.
class schema_builder {
public:
    explicit schema_builder(void const* root) : root_(root) {}

    bool is_root(void const* key) const noexcept { return key == root_; }
    /// The `$defs` name of a model type, if it was registered already.
    std::string const* def_name(void const* key) const noexcept;
    /// Registers a model type under its wanted name, made unique; returns that name.
    std::string const& register_def(void const* key, std::string_view wanted);
    void add_def(std::string const& name, boost::json::object schema);
    boost::json::object take_defs() { return std::move(defs_); }

private:
    void const* root_;
    std::vector<std::pair<void const*, std::string>> names_;
    boost::json::object defs_;
};

boost::json::object integer_schema(std::int64_t lo, std::uint64_t hi, bool bounded_lo,
                                   bool bounded_hi);
boost::json::object ref_schema(std::string const& def_name);
boost::json::value nullable(boost::json::value schema);
/// Adds the constraints of `info` that fit the schema's type.
void apply_constraints(boost::json::value& schema, field_info const* info);
void apply_description(boost::json::value& schema, std::string_view description);
/// `{"type": "string", "enum": [names...]}`.
boost::json::object enum_schema(std::vector<std::string_view> const& names);

template <class T>
boost::json::value schema_of(schema_builder& b, field_info const* info);

template <class T>
boost::json::object model_body(schema_builder& b)
{
    boost::json::object props;
    boost::json::array required;
    boost::mp11::mp_for_each<members_of<T>>([&](auto d) {
        using D = decltype(d);
        using M = std::remove_cvref_t<decltype(std::declval<T&>().*D::pointer)>;
        field_info const* info = field_info_of<T, D>();
        boost::json::value s = schema_of<M>(b, info);
        if (info)
            apply_description(s, info->description);
        if (info && info->has_default && s.is_object()) {
            // The value the member keeps when the key is absent: its initialiser's.
            static T const fresh{};
            std::string text;
            write_json(text, fresh.*D::pointer);
            s.get_object()["default"] = boost::json::parse(text);
        }
        auto const key = wire_name_of<T, D>();
        props.emplace(key, std::move(s));
        if (!is_optional<M>::value && !(info && info->has_default))
            required.emplace_back(key);
    });
    boost::json::object o;
    o["type"] = "object";
    o["title"] = model_name<T>();
    auto const& ann = annotations_of<T>();
    if (!ann.info.description.empty())
        o["description"] = ann.info.description;
    o["properties"] = std::move(props);
    o["required"] = std::move(required);
    return o;
}

template <class T>
boost::json::value schema_of(schema_builder& b, field_info const* info)
{
    boost::json::value s;
    if constexpr (std::is_same_v<T, bool>) {
        s = boost::json::object{{"type", "boolean"}};
    }
    else if constexpr (integer<T>) {
        using L = std::numeric_limits<T>;
        // The schema states the range the C++ type can hold, so a validator and our decoder
        // agree on overflow. 64-bit bounds are left out: JSON tools lose precision there. Use
        // std::int64_t for a bare {"type": "integer"}.
        constexpr bool lo = std::is_signed_v<T> ? sizeof(T) < 8 : true;
        constexpr bool hi = sizeof(T) < 8;
        s = integer_schema(static_cast<std::int64_t>(L::min()),
                           static_cast<std::uint64_t>(L::max()), lo, hi);
    }
    else if constexpr (std::is_floating_point_v<T>) {
        s = boost::json::object{{"type", "number"}};
        if constexpr (sizeof(T) < sizeof(double)) {
            // a float cannot hold every JSON number: say so, as for narrow integers
            s.get_object()["minimum"] = -static_cast<double>(std::numeric_limits<T>::max());
            s.get_object()["maximum"] = static_cast<double>(std::numeric_limits<T>::max());
        }
    }
    else if constexpr (std::is_same_v<T, std::string>) {
        s = boost::json::object{{"type", "string"}};
    }
    else if constexpr (std::is_same_v<T, boost::json::value>) {
        s = boost::json::object{};
    }
    else if constexpr (described_enum<T>) {
        std::vector<std::string_view> names;
        boost::mp11::mp_for_each<boost::describe::describe_enumerators<T>>(
            [&](auto e) { names.emplace_back(e.name); });
        s = enum_schema(names);
    }
    else if constexpr (is_optional<T>::value) {
        return nullable(schema_of<typename T::value_type>(b, info));
    }
    else if constexpr (is_vector<T>::value) {
        s = boost::json::object{{"type", "array"},
                                {"items", schema_of<typename T::value_type>(b, nullptr)}};
    }
    else if constexpr (is_string_map<T>::value) {
        s = boost::json::object{
            {"type", "object"},
            {"additionalProperties", schema_of<typename T::mapped_type>(b, nullptr)}};
    }
    else if constexpr (is_variant<T>::value) {
        boost::json::array any;
        [&]<class... A>(std::variant<A...>*) {
            (any.push_back(schema_of<A>(b, nullptr)), ...);
        }(static_cast<T*>(nullptr));
        s = boost::json::object{{"anyOf", std::move(any)}};
    }
    else if constexpr (described_model<T>) {
        void const* key = type_key<T>();
        if (b.is_root(key))
            return boost::json::object{{"$ref", "#"}};
        if (std::string const* name = b.def_name(key))
            return ref_schema(*name);
        std::string const& name = b.register_def(key, model_name<T>());
        std::string name_copy = name;  // register_def's storage may move while recursing
        b.add_def(name_copy, model_body<T>(b));
        return ref_schema(name_copy);
    }
    else {
        static_assert(sizeof(T) == 0,
                      "unsupported member type in a response model: see API.md for the list");
    }
    apply_constraints(s, info);
    return s;
}

/// The full schema of a root model T.
template <class T>
boost::json::object build_schema()
{
    static_assert(described_model<T>, "a response model must be described with BOOST_DESCRIBE_STRUCT");
    schema_builder b(type_key<T>());
    boost::json::object root = model_body<T>(b);
    boost::json::object defs = b.take_defs();
    if (!defs.empty())
        root["$defs"] = std::move(defs);
    return root;
}

}  // namespace instructor::detail
