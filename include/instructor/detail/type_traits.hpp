// Classification of the member types a response model may hold.
#pragma once

#include <instructor/model.hpp>

#include <boost/describe/enumerators.hpp>
#include <boost/describe/members.hpp>
#include <boost/json/fwd.hpp>

#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace instructor::detail {

template <class T>
concept described_model =
    std::is_class_v<T> && boost::describe::has_describe_members<T>::value;

template <class T>
concept described_enum = std::is_enum_v<T> && boost::describe::has_describe_enumerators<T>::value;

template <class T>
concept integer = std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                  !std::is_same_v<T, char> && !std::is_same_v<T, wchar_t> &&
                  !std::is_same_v<T, char8_t> && !std::is_same_v<T, char16_t> &&
                  !std::is_same_v<T, char32_t>;

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

template <class T>
struct is_string_map : std::false_type {};
template <class T, class C, class A>
struct is_string_map<std::map<std::string, T, C, A>> : std::true_type {};

template <class T>
struct is_variant : std::false_type {};
template <class... T>
struct is_variant<std::variant<T...>> : std::true_type {};

/// A struct's described members, inherited ones included.
template <class T>
using members_of =
    boost::describe::describe_members<T, boost::describe::mod_public |
                                             boost::describe::mod_inherited>;

/// The user's `instructor_model(tag<T>)`, or an empty annotation set.
template <class T>
auto const& annotations_of()
{
    if constexpr (requires { instructor_model(tag<T>{}); }) {
        static auto const a = instructor_model(tag<T>{});
        return a;
    }
    else {
        static model_annotations<> const a{};
        return a;
    }
}

/// The field_info the user attached to member D of T, or nullptr.
template <class T, class D>
field_info const* field_info_of()
{
    field_info const* found = nullptr;
    std::apply(
        [&](auto const&... f) {
            (
                [&] {
                    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(f.pointer)>,
                                                 std::remove_cvref_t<decltype(D::pointer)>>) {
                        if (f.pointer == D::pointer)
                            found = &f.info;
                    }
                }(),
                ...);
        },
        annotations_of<T>().fields);
    return found;
}

/// Member D's key on the wire: its field_info's name, else the member's own.
template <class T, class D>
std::string_view wire_name_of()
{
    field_info const* info = field_info_of<T, D>();
    return info && !info->name.empty() ? info->name : std::string_view(D::name);
}

}  // namespace instructor::detail
