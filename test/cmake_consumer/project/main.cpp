// A downstream program: schema, decode, and a typed error, through the installed package.
#include <instructor/instructor.hpp>

#include <boost/describe.hpp>

#include <iostream>

struct UserInfo {
    std::string name;
    int age;
};
BOOST_DESCRIBE_STRUCT(UserInfo, (), (name, age))

int main()
{
    namespace ins = instructor;
    auto const& schema = ins::json_schema<UserInfo>();
    if (schema.at("title") != "UserInfo")
        return 1;
    auto u = ins::from_json<UserInfo>(R"({"name":"John Doe","age":32})");
    if (u.age != 32)
        return 2;
    auto bad = ins::decode<UserInfo>(R"({"name":"John Doe"})");
    std::cout << ins::format_issues(bad.issues) << "\n";
    return bad ? 3 : 0;
}
