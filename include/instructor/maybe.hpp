// ins::maybe<T>: a result, or an explanation of why there is none (Python Instructor's Maybe).
//
//     auto m = co_await client.create<ins::maybe<UserInfo>>(req);
//     if (m.result) use(*m.result); else log(m.message.value_or("no user"));
//
// On the wire it is the model `Maybe<T's name>` (`MaybeUserInfo`) with `result` (T or null),
// `error` (default false) and `message` (why there is no result; null when there is one).
#pragma once

#include <instructor/model.hpp>
#include <instructor/model_name.hpp>

#include <boost/describe/class.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace instructor {

template <class T>
struct maybe {
    std::optional<T> result;             ///< the extracted value, when there is one
    bool error = false;                  ///< true when there is no result
    std::optional<std::string> message;  ///< why there is none (short)

    BOOST_DESCRIBE_CLASS(maybe, (), (result, error, message), (), ())
};

namespace detail {

template <class T>
std::string_view maybe_name()
{
    static std::string const name = "Maybe" + model_name<T>();
    return name;
}

}  // namespace detail

template <class T>
auto instructor_model(tag<maybe<T>>)
{
    return model({.name = detail::maybe_name<T>()},
                 field(&maybe<T>::result,
                       {.description = "Correctly extracted result from the model, if any"}),
                 field(&maybe<T>::error, {.has_default = true}),
                 field(&maybe<T>::message,
                       {.description = "Error message if no result was found, should be short "
                                       "and concise"}));
}

}  // namespace instructor
