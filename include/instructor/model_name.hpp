// The name of a model on the wire (function name, json_schema name, `$defs` key).
#pragma once

#include <instructor/detail/type_traits.hpp>

#include <boost/core/type_name.hpp>

#include <string>
#include <string_view>

namespace instructor {

namespace detail {
/// `ns::Outer::Name<int>` -> `Name_int_`: the unqualified name, restricted to the characters
/// every provider accepts in a function name (`[A-Za-z0-9_-]`).
std::string wire_name(std::string_view qualified);
}  // namespace detail

/// T's name on the wire: `instructor_model(tag<T>)`'s `.name` when given, else T's unqualified
/// C++ type name. Computed once.
template <class T>
std::string const& model_name()
{
    static std::string const name = [] {
        auto const& given = detail::annotations_of<T>().info.name;
        return given.empty() ? detail::wire_name(boost::core::type_name<T>())
                             : std::string(given);
    }();
    return name;
}

}  // namespace instructor
