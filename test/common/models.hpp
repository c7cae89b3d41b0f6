// Response models shared by the tests, the conformance check and the benchmarks.
#pragma once

#include <instructor/decode.hpp>
#include <instructor/encode.hpp>
#include <instructor/model.hpp>
#include <instructor/schema.hpp>
#include <instructor/validation.hpp>

#include <boost/describe.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ins = instructor;

namespace models {

/// A quote that must occur in the request's context["source"] (a validator that reads the
/// validation context).
struct Quote {
    std::string text;

    void validate(ins::validation_context& ctx) const
    {
        auto const* source = ctx.context().if_contains("source");
        if (!source || !source->is_string())
            return ctx.fail("no source text to check the quote against");
        if (std::string_view(source->get_string()).find(text) == std::string_view::npos)
            ctx.fail("text", "the quote does not occur in the source text; quote it exactly");
    }
};
BOOST_DESCRIBE_STRUCT(Quote, (), (text))

// The seed's first example.
struct UserInfo {
    std::string name;
    int age;
};
BOOST_DESCRIBE_STRUCT(UserInfo, (), (name, age))

struct Address {
    std::string street;
    std::string city;
    std::optional<std::string> country;
};
BOOST_DESCRIBE_STRUCT(Address, (), (street, city, country))

struct Person {
    std::string name;
    int age;
    std::vector<Address> addresses;
};
BOOST_DESCRIBE_STRUCT(Person, (), (name, age, addresses))

BOOST_DEFINE_ENUM_CLASS(Priority, low, medium, high)

struct Ticket {
    std::string title;
    Priority priority;
    std::vector<std::string> tags;
    std::optional<std::int32_t> estimate_hours;
};
BOOST_DESCRIBE_STRUCT(Ticket, (), (title, priority, tags, estimate_hours))

inline auto instructor_model(ins::tag<Ticket>)
{
    return ins::model({.description = "A support ticket"},
                      ins::field(&Ticket::title, {.description = "One line", .min_length = 3,
                                                  .max_length = 80}),
                      ins::field(&Ticket::tags, {.min_items = 1, .max_items = 5}),
                      ins::field(&Ticket::estimate_hours,
                                 {.minimum = 0, .exclusive_maximum = 1000}));
}

struct Constrained {
    double ratio;
    std::int64_t count;
    std::string code;
    std::uint8_t level;
    float weight;
};
BOOST_DESCRIBE_STRUCT(Constrained, (), (ratio, count, code, level, weight))

inline auto instructor_model(ins::tag<Constrained>)
{
    return ins::model({},
                      ins::field(&Constrained::ratio, {.maximum = 1, .exclusive_minimum = 0}),
                      ins::field(&Constrained::count, {.minimum = -5, .exclusive_maximum = 100}),
                      ins::field(&Constrained::code, {.pattern = "^[A-Z]{3}-[0-9]+$"}));
}

struct TreeNode {
    std::string label;
    std::vector<TreeNode> children;
};
BOOST_DESCRIBE_STRUCT(TreeNode, (), (label, children))

struct Cat {
    std::string name;
    bool indoor;
};
BOOST_DESCRIBE_STRUCT(Cat, (), (name, indoor))

struct Dog {
    std::string name;
    std::string breed;
};
BOOST_DESCRIBE_STRUCT(Dog, (), (name, breed))

struct Household {
    std::vector<std::variant<Cat, Dog>> pets;
    std::map<std::string, int> rooms;
};
BOOST_DESCRIBE_STRUCT(Household, (), (pets, rooms))

struct Anything {
    std::string kind;
    boost::json::value payload;
    std::optional<bool> flag;
};
BOOST_DESCRIBE_STRUCT(Anything, (), (kind, payload, flag))

struct Defaults {
    std::string name;
    int retries = 3;
    std::optional<double> score;
};
BOOST_DESCRIBE_STRUCT(Defaults, (), (name, retries, score))

inline auto instructor_model(ins::tag<Defaults>)
{
    return ins::model({.name = "DefaultsModel"}, ins::field(&Defaults::retries, {.has_default = true}));
}

struct Base {
    std::string id;
};
BOOST_DESCRIBE_STRUCT(Base, (), (id))

struct Derived : Base {
    std::vector<double> values;
};
BOOST_DESCRIBE_STRUCT(Derived, (Base), (values))

// Semantic validation, as in the seed's validation example.
struct Signup {
    std::string email;
    std::string password;
    std::string confirm;

    void validate(ins::validation_context& ctx) const
    {
        if (email.find('@') == std::string::npos)
            ctx.fail("email", "Invalid email");
        if (password != confirm)
            ctx.fail("confirm", "Passwords do not match");
    }
};
BOOST_DESCRIBE_STRUCT(Signup, (), (email, password, confirm))

struct Team {
    std::string name;
    std::vector<Signup> members;
};
BOOST_DESCRIBE_STRUCT(Team, (), (name, members))

struct Throwing {
    int value;
    void validate(ins::validation_context&) const
    {
        if (value < 0)
            throw std::invalid_argument("value must not be negative");
    }
};
BOOST_DESCRIBE_STRUCT(Throwing, (), (value))

// Every integer width, for range checks at each boundary.
struct IntegerWidths {
    std::int8_t i8;
    std::uint8_t u8;
    std::int16_t i16;
    std::uint16_t u16;
    std::int32_t i32;
    std::uint32_t u32;
    std::int64_t i64;
    std::uint64_t u64;
};
BOOST_DESCRIBE_STRUCT(IntegerWidths, (), (i8, u8, i16, u16, i32, u32, i64, u64))

// A map whose values are models.
struct Directory {
    std::map<std::string, Address> entries;
    std::optional<std::string> owner;
};
BOOST_DESCRIBE_STRUCT(Directory, (), (entries, owner))

// Optional enum, optional nested model, a scalar variant and a list of optionals.
struct Profile {
    std::string handle;
    std::optional<Priority> priority;
    std::optional<Address> home;
    std::variant<std::int32_t, std::string> external_id;
    std::vector<std::optional<double>> scores;
};
BOOST_DESCRIBE_STRUCT(Profile, (), (handle, priority, home, external_id, scores))

inline auto instructor_model(ins::tag<Profile>)
{
    return ins::model({},
                      ins::field(&Profile::handle,
                                 {.min_length = 2, .max_length = 12, .pattern = "^[a-z_]+$"}),
                      ins::field(&Profile::scores, {.max_items = 3}));
}

// Two tools a model may call in parallel_tools mode.
struct Weather {
    std::string city;
};
BOOST_DESCRIBE_STRUCT(Weather, (), (city))

struct Search {
    std::string query;
};
BOOST_DESCRIBE_STRUCT(Search, (), (query))

}  // namespace models
