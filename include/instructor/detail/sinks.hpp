// Per-type tables that let the (non-template) sinks in lib/ write into a C++ type.
#pragma once

#include <instructor/detail/decode_core.hpp>
#include <instructor/detail/type_traits.hpp>
#include <instructor/model_name.hpp>

#include <boost/describe/enumerators.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include <array>
#include <exception>
#include <limits>
#include <utility>

namespace instructor::detail {

template <class T>
sink_ref sink_for();

template <class T>
concept has_validate = requires(T const& t, validation_context& c) { t.validate(c); };

template <class T>
void run_validate(void const* object, validation_context& ctx)
{
    // A validator may throw like a Pydantic one raises: the message becomes the issue.
    try {
        static_cast<T const*>(object)->validate(ctx);
    }
    catch (std::exception const& e) {
        ctx.fail(e.what());
    }
}

template <class T>
model_meta const* model_meta_for()
{
    static auto const members = [] {
        std::array<member_entry, boost::mp11::mp_size<members_of<T>>::value> m{};
        std::size_t i = 0;
        boost::mp11::mp_for_each<members_of<T>>([&](auto d) {
            using D = decltype(d);
            using M = std::remove_cvref_t<decltype(std::declval<T&>().*D::pointer)>;
            field_info const* info = field_info_of<T, D>();
            m[i++] = member_entry{
                wire_name_of<T, D>(),
                sink_for<M>(),
                [](void* o) -> void* { return &(static_cast<T*>(o)->*D::pointer); },
                info,
                !is_optional<M>::value && !(info && info->has_default),
            };
        });
        return m;
    }();
    void (*validate)(void const*, validation_context&) = nullptr;
    if constexpr (has_validate<T>)
        validate = &run_validate<T>;
    static model_meta const meta{model_name<T>(), members.data(), members.size(), validate};
    return &meta;
}

template <class V, std::size_t I>
bool try_variant_alternative(void* var, boost::json::value const& v, decode_options const& opts,
                             std::string const& base, std::vector<validation_issue>& out)
{
    using A = std::variant_alternative_t<I, V>;
    A tmp{};
    if (!decode_json_value(sink_for<A>(), &tmp, v, opts, base, out))
        return false;
    static_cast<V*>(var)->template emplace<I>(std::move(tmp));
    return true;
}

template <class V, std::size_t... I>
variant_meta const* variant_meta_for(std::index_sequence<I...>)
{
    using try_fn = bool (*)(void*, boost::json::value const&, decode_options const&,
                            std::string const&, std::vector<validation_issue>&);
    static constexpr try_fn tries[] = {&try_variant_alternative<V, I>...};
    static std::array<std::string_view, sizeof...(I)> const names{
        std::string_view(model_name<std::variant_alternative_t<I, V>>())...};
    static variant_meta const meta{
        names.data(), names.size(),
        [](std::size_t i, void* var, boost::json::value const& v, decode_options const& opts,
           std::string const& base, std::vector<validation_issue>& out) {
            return tries[i](var, v, opts, base, out);
        }};
    return &meta;
}

template <class T>
sink_ref sink_for()
{
    if constexpr (std::is_same_v<T, bool>) {
        return {&bool_sink(), nullptr};
    }
    else if constexpr (integer<T>) {
        using L = std::numeric_limits<T>;
        static integer_meta const meta{
            static_cast<std::int64_t>(L::min()), static_cast<std::uint64_t>(L::max()),
            sizeof(T) == 1   ? (std::is_signed_v<T> ? "int8" : "uint8")
            : sizeof(T) == 2 ? (std::is_signed_v<T> ? "int16" : "uint16")
            : sizeof(T) == 4 ? (std::is_signed_v<T> ? "int32" : "uint32")
                             : (std::is_signed_v<T> ? "int64" : "uint64"),
            [](void* t, std::int64_t v) { *static_cast<T*>(t) = static_cast<T>(v); },
            [](void* t, std::uint64_t v) { *static_cast<T*>(t) = static_cast<T>(v); },
        };
        return {&integer_sink(), &meta};
    }
    else if constexpr (std::is_floating_point_v<T>) {
        static floating_meta const meta{
            static_cast<double>(std::numeric_limits<T>::max()),
            [](void* t, double v) { *static_cast<T*>(t) = static_cast<T>(v); }};
        return {&floating_sink(), &meta};
    }
    else if constexpr (std::is_same_v<T, std::string>) {
        return {&string_sink(), nullptr};
    }
    else if constexpr (std::is_same_v<T, boost::json::value>) {
        return {&json_value_sink(), nullptr};
    }
    else if constexpr (described_enum<T>) {
        static auto const names = [] {
            std::array<std::string_view,
                       boost::mp11::mp_size<boost::describe::describe_enumerators<T>>::value>
                n{};
            std::size_t i = 0;
            boost::mp11::mp_for_each<boost::describe::describe_enumerators<T>>(
                [&](auto e) { n[i++] = e.name; });
            return n;
        }();
        static enum_meta const meta{names.data(), names.size(), [](void* t, std::size_t i) {
                                        std::size_t k = 0;
                                        boost::mp11::mp_for_each<
                                            boost::describe::describe_enumerators<T>>(
                                            [&](auto e) {
                                                if (k++ == i)
                                                    *static_cast<T*>(t) = e.value;
                                            });
                                    }};
        return {&enum_sink(), &meta};
    }
    else if constexpr (is_optional<T>::value) {
        using V = typename T::value_type;
        static optional_meta const meta{
            &sink_for<V>, [](void* o) -> void* { return &static_cast<T*>(o)->emplace(); },
            [](void* o) { static_cast<T*>(o)->reset(); }};
        return {&optional_sink(), &meta};
    }
    else if constexpr (is_vector<T>::value) {
        using V = typename T::value_type;
        static vector_meta const meta{
            &sink_for<V>,
            [](void* v) -> void* {
                auto& vec = *static_cast<T*>(v);
                // Room for a few small items at the first: a list is decoded an item at a time
                // with no count ahead, and growing 1, 2, 4 was a third of a decode's
                // allocations. (Large items grow as they come: the value is the caller's.)
                if constexpr (sizeof(V) <= 64)
                    if (vec.capacity() == 0)
                        vec.reserve(sizeof(V) <= 32 ? 8 : 4);
                return &vec.emplace_back();
            },
            [](void* v) { static_cast<T*>(v)->clear(); }};
        return {&vector_sink(), &meta};
    }
    else if constexpr (is_string_map<T>::value) {
        using V = typename T::mapped_type;
        static map_meta const meta{
            &sink_for<V>,
            [](void* m, std::string_view k, std::string_view* stored) -> void* {
                auto& map = *static_cast<T*>(m);
                auto [it, inserted] = map.try_emplace(std::string(k));
                if (!inserted)
                    it->second = V{};  // a repeated key: the last one wins
                *stored = it->first;
                return &it->second;
            },
            [](void* m) { static_cast<T*>(m)->clear(); }};
        return {&map_sink(), &meta};
    }
    else if constexpr (is_variant<T>::value) {
        return {&variant_sink(),
                variant_meta_for<T>(std::make_index_sequence<std::variant_size_v<T>>{})};
    }
    else if constexpr (described_model<T>) {
        return {&model_sink(), model_meta_for<T>()};
    }
    else {
        static_assert(sizeof(T) == 0,
                      "unsupported member type in a response model: see API.md for the list");
    }
}

}  // namespace instructor::detail
