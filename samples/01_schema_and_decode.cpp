// The seed's first example, without a network: the schema instructor sends for `UserInfo`, and
// the model's reply decoded straight into the struct (then a bad reply, and what a re-ask shows).
#include <instructor/instructor.hpp>

#include <boost/describe.hpp>
#include <boost/json/serialize.hpp>

#include <iostream>

namespace ins = instructor;

struct UserInfo {
    std::string name;
    int age;
};
BOOST_DESCRIBE_STRUCT(UserInfo, (), (name, age))

int main()
{
    std::cout << "UserInfo schema:\n" << boost::json::serialize(ins::json_schema<UserInfo>()) << "\n";
    std::cout << "strict (structured outputs) schema:\n"
              << boost::json::serialize(ins::strict_json_schema<UserInfo>()) << "\n";

    // What the model answers to "John Doe is 32 years old."
    UserInfo user = ins::from_json<UserInfo>(R"({"name": "John Doe", "age": 32})");
    std::cout << "Basic example result: UserInfo(name='" << user.name << "', age=" << user.age
              << ")\n";

    // A reply that does not validate: these lines are what the model reads on a re-ask.
    auto bad = ins::decode<UserInfo>(R"({"name": "John Doe", "age": "thirty-two"})");
    std::cout << "A bad reply gives:\n" << ins::format_issues(bad.issues) << "\n";
    return bad ? 1 : 0;
}
