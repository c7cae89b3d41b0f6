// Nested models: a `Person` holding a list of `Address` objects, from a text describing two.
//
// Nothing special is needed: a member whose type is another described struct becomes a `$ref`
// into the schema's `$defs`, `std::vector<X>` an array, and the decoder reports a problem deep
// inside with its path (`addresses/1/city: Field required`), which is what a re-ask shows.
#include "sample_endpoint.hpp"

#include <instructor/instructor.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/describe.hpp>
#include <boost/json/serialize.hpp>

#include <iostream>
#include <vector>

namespace asio = boost::asio;
namespace ins = instructor;

struct Address {
    std::string street;
    std::string city;
    std::string country;
};
BOOST_DESCRIBE_STRUCT(Address, (), (street, city, country))

struct Person {
    std::string name;
    int age;
    std::vector<Address> addresses;
};
BOOST_DESCRIBE_STRUCT(Person, (), (name, age, addresses))

constexpr char const* person_text = R"(Jason is 25 years old.
He lives at 123 Main St, New York, USA
and has a summer house at 456 Beach Rd, Miami, USA)";

asio::awaitable<int> extract_person(sample::endpoint& ep)
{
    // Without a key the mock answers; script what a model says for this text (its default
    // answer would be a bare instance of the schema). No-op on a real endpoint.
    ep.script_answer<Person>(R"({"name": "Jason", "age": 25, "addresses": [
        {"street": "123 Main St", "city": "New York", "country": "USA"},
        {"street": "456 Beach Rd", "city": "Miami", "country": "USA"}]})");

    ins::request req{
        .model = ep.model("person-extraction-agent"),
        .messages = {ins::message::user(std::string("Extract: ") + person_text)},
    };
    Person person = co_await ep.client().create<Person>(std::move(req));

    std::cout << person.name << ", " << person.age << " years old, "
              << person.addresses.size() << " addresses:\n";
    for (auto const& a : person.addresses)
        std::cout << "  - " << a.street << ", " << a.city << ", " << a.country << "\n";
    // ins::to_json gives the object back as JSON (for logs, caches, few-shot examples).
    std::cout << "as JSON: " << ins::to_json(person) << "\n";
    co_return person.addresses.size() == 2 ? 0 : 1;
}

int main()
{
    asio::io_context ioc;
    sample::endpoint ep(ioc.get_executor(), {.mode = ins::mode::structured_outputs});
    auto result = asio::co_spawn(ioc, extract_person(ep), asio::use_future);
    ioc.run();
    return sample::exit_code(result);
}
