// Streaming a list: `create_iterable<T>` hands out each item as soon as its closing brace
// arrives, decoded and validated, while the model is still writing the next one. The wire shape
// is Python Instructor's `{"tasks": [...]}` object named `IterableUserInfo`.
#include "sample_endpoint.hpp"

#include <instructor/instructor.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/describe.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace ins = instructor;

struct UserInfo {
    std::string name;
    int age;
};
BOOST_DESCRIBE_STRUCT(UserInfo, (), (name, age))

asio::awaitable<int> stream_users(ins::client client, std::string model)
{
    ins::request req;
    req.model = std::move(model);
    req.messages.push_back(ins::message::user(
        "Extract every person: Jason is 25, Sarah is 31 and Mike is 40 years old."));
    auto users = client.create_iterable<UserInfo>(req);
    int n = 0;
    while (auto u = co_await users.next())
        std::cout << "item " << ++n << ": UserInfo(name='" << u->name << "', age=" << u->age
                  << ")\n";
    co_return n > 0 ? 0 : 1;
}

int main()
{
    asio::io_context ioc;
    sample::endpoint ep(ioc.get_executor(), {.mode = ins::mode::tools});
    // On the mock, script the list a model would write (the default answer has one item).
    if (auto* mock = ep.mock()) {
        std::string const args =
            R"({"tasks":[{"name":"Jason","age":25},{"name":"Sarah","age":31},{"name":"Mike","age":40}]})";
        mock->push(sample::streamed_tool_call("IterableUserInfo", args));
    }
    auto result = asio::co_spawn(ioc, stream_users(ep.client(), ep.model("user-extraction-agent")),
                                 asio::use_future);
    ioc.run();
    return sample::exit_code(result);
}
