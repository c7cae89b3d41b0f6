// The JSON-repair corpus (test/data/repair_corpus.json, written by tools/make_repair_corpus.js):
// its models, and each entry decoded into the model it names. Shared by the unit test and the
// benchmark.
#pragma once

#include <instructor/decode.hpp>
#include <instructor/encode.hpp>
#include <instructor/model.hpp>

#include <boost/describe.hpp>
#include <boost/json.hpp>

#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ins = instructor;

namespace repair_corpus {

// Answers recorded in ../shared/wire (06, 19, 21: city; 11, 12: sum; 03-05, 10: output;
// 01: addition; 25: forecast; 02, 22: tool call).
struct City {
    std::string city;
    std::string country;
};
BOOST_DESCRIBE_STRUCT(City, (), (city, country))

struct Sum {
    int integer_a;
    int integer_b;
    int answer;
};
BOOST_DESCRIBE_STRUCT(Sum, (), (integer_a, integer_b, answer))

struct Output {
    int output;
};
BOOST_DESCRIBE_STRUCT(Output, (), (output))

struct Addition {
    std::int64_t a;
    std::int64_t b;
};
BOOST_DESCRIBE_STRUCT(Addition, (), (a, b))

struct Reading {
    std::string location;
    int temperature;
    std::string condition;
};
BOOST_DESCRIBE_STRUCT(Reading, (), (location, temperature, condition))

struct Forecast {
    std::vector<Reading> elements;
};
BOOST_DESCRIBE_STRUCT(Forecast, (), (elements))

struct ToolCall {
    std::string name;
    boost::json::value arguments;
};
BOOST_DESCRIBE_STRUCT(ToolCall, (), (name, arguments))

// The seed's first example, and models with enums, constraints, booleans, nulls, long text
// and nesting.
struct User {
    std::string name;
    int age;
};
BOOST_DESCRIBE_STRUCT(User, (), (name, age))

BOOST_DEFINE_ENUM_CLASS(Priority, low, medium, high)

struct Ticket {
    std::string title;
    Priority priority;
    std::vector<std::string> tags;
    std::optional<int> estimate_hours;
};
BOOST_DESCRIBE_STRUCT(Ticket, (), (title, priority, tags, estimate_hours))

inline auto instructor_model(ins::tag<Ticket>)
{
    return ins::model({}, ins::field(&Ticket::title, {.min_length = 3, .max_length = 80}),
                      ins::field(&Ticket::tags, {.min_items = 1, .max_items = 5}));
}

struct Task {
    std::string title;
    bool done;
    std::optional<std::string> assignee;
};
BOOST_DESCRIBE_STRUCT(Task, (), (title, done, assignee))

struct Note {
    std::string title;
    std::string body;
};
BOOST_DESCRIBE_STRUCT(Note, (), (title, body))

struct Line {
    std::string sku;
    int quantity;
    double price;
};
BOOST_DESCRIBE_STRUCT(Line, (), (sku, quantity, price))

struct Order {
    std::string id;
    std::vector<Line> lines;
    double total;
    bool paid;
    std::optional<std::string> coupon;
};
BOOST_DESCRIBE_STRUCT(Order, (), (id, lines, total, paid, coupon))

struct entry {
    std::string name;
    std::string model;
    std::vector<std::string> kinds;  // the repair kinds the text needs, sorted
    std::string text;
    boost::json::value expect;       // null: must not decode
};

/// A decode as the corpus sees it: the value encoded as JSON (comparable across models).
struct outcome {
    std::optional<std::string> json;
    std::vector<ins::json_repair> repairs;
    std::vector<ins::validation_issue> issues;
};

template <class T>
outcome decode_as(std::string_view text, ins::decode_options const& opts)
{
    auto r = ins::decode<T>(text, opts);
    outcome o{std::nullopt, std::move(r.repairs), std::move(r.issues)};
    if (r.value)
        o.json = ins::to_json(*r.value);
    return o;
}

/// The expected value in the same encoding as decode_as() (absent optionals as null).
template <class T>
std::string canonical(boost::json::value const& v)
{
    auto r = ins::decode_value<T>(v);
    if (!r)
        throw std::runtime_error("an expected value does not fit its model: " +
                                 boost::json::serialize(v));
    return ins::to_json(*r.value);
}

struct model_fns {
    outcome (*decode)(std::string_view, ins::decode_options const&);
    std::string (*canonical)(boost::json::value const&);
};

template <class T>
model_fns fns_of()
{
    return {&decode_as<T>, &canonical<T>};
}

inline model_fns model_named(std::string_view name)
{
    if (name == "City") return fns_of<City>();
    if (name == "Sum") return fns_of<Sum>();
    if (name == "Output") return fns_of<Output>();
    if (name == "Addition") return fns_of<Addition>();
    if (name == "Forecast") return fns_of<Forecast>();
    if (name == "ToolCall") return fns_of<ToolCall>();
    if (name == "User") return fns_of<User>();
    if (name == "Ticket") return fns_of<Ticket>();
    if (name == "Task") return fns_of<Task>();
    if (name == "Note") return fns_of<Note>();
    if (name == "Order") return fns_of<Order>();
    throw std::runtime_error("unknown corpus model " + std::string(name));
}

inline std::vector<entry> load(std::string const& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    auto const all = boost::json::parse(text.str());
    std::vector<entry> out;
    for (auto const& v : all.as_array()) {
        auto const& o = v.as_object();
        entry e{std::string(o.at("name").as_string()), std::string(o.at("model").as_string()),
                {}, std::string(o.at("text").as_string()), o.at("expect")};
        for (auto const& k : o.at("kinds").as_array())
            e.kinds.emplace_back(k.as_string());
        out.push_back(std::move(e));
    }
    return out;
}

/// How the corpus fares under `opts`: entries decoded to their expected value, entries
/// decoded to anything else (a value where none is due counts as wrong), and the rest.
struct score {
    std::size_t right = 0, wrong = 0, refused = 0;
    std::vector<std::string> wrong_names;
};

inline score run(std::vector<entry> const& corpus, ins::decode_options const& opts)
{
    score s;
    for (auto const& e : corpus) {
        auto fns = model_named(e.model);
        auto got = fns.decode(e.text, opts);
        if (!got.json)
            ++s.refused;
        else if (!e.expect.is_null() && *got.json == fns.canonical(e.expect))
            ++s.right;
        else {
            ++s.wrong;
            s.wrong_names.push_back(e.name);
        }
    }
    return s;
}

}  // namespace repair_corpus
