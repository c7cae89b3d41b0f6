// Descriptions and constraints attached to a response model and its fields.
//
// A response model is a struct described with BOOST_DESCRIBE_STRUCT. To document it or constrain
// its fields, define `instructor_model(ins::tag<T>)` next to it (found by argument-dependent
// lookup, so it lives in T's namespace):
//
//     struct UserInfo { std::string name; int age; };
//     BOOST_DESCRIBE_STRUCT(UserInfo, (), (name, age))
//
//     inline auto instructor_model(ins::tag<UserInfo>) {
//         return ins::model({.description = "A person mentioned in the text"},
//                           ins::field(&UserInfo::name, {.description = "Full name", .min_length = 1}),
//                           ins::field(&UserInfo::age, {.minimum = 0, .maximum = 150}));
//     }
//
// The schema shows every description and constraint, and the decoder enforces the constraints.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <tuple>

namespace instructor {

/// Names a type for argument-dependent lookup of `instructor_model`.
template <class T>
struct tag {};

/// Documentation and constraints of one field. Numeric bounds apply to numbers, lengths (in
/// Unicode code points) and `pattern` (ECMAScript, unanchored search as in JSON Schema) to
/// strings, item counts to lists. Through `std::optional<X>` they apply to X.
struct field_info {
    /// The key on the wire (schema, decoder, to_json) when it is not the member's name: JSON
    /// keys that are not C++ identifiers (`class`, `first-name`, `@type`).
    std::string_view name{};
    std::string_view description{};
    std::optional<double> minimum{};
    std::optional<double> maximum{};
    std::optional<double> exclusive_minimum{};
    std::optional<double> exclusive_maximum{};
    std::optional<std::size_t> min_length{};
    std::optional<std::size_t> max_length{};
    std::string_view pattern{};
    std::optional<std::size_t> min_items{};
    std::optional<std::size_t> max_items{};
    /// The key may be absent: the member then keeps its default member initialiser, the schema
    /// does not list it as required and shows that value as its `default` (left out of the
    /// strict form). (`std::optional` members are never required.)
    bool has_default = false;
};

/// Documentation of a model as a whole.
struct model_info {
    std::string_view name{};         ///< name on the wire; default: T's unqualified type name
    std::string_view description{};  ///< default: none
};

template <class Class, class Member>
struct field_annotation {
    Member Class::*pointer;
    field_info info;
};

template <class... Fields>
struct model_annotations {
    model_info info;
    std::tuple<Fields...> fields;
};

/// Annotates the member `pointer` (which must be one of the described members).
template <class Class, class Member>
constexpr field_annotation<Class, Member> field(Member Class::*pointer, field_info info)
{
    return {pointer, info};
}

/// Bundles a model's documentation with its field annotations.
template <class... Fields>
constexpr model_annotations<Fields...> model(model_info info, Fields... fields)
{
    return {info, std::tuple<Fields...>(fields...)};
}

}  // namespace instructor
