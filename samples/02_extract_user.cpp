// The seed's first call: extract a `UserInfo` from a sentence with `co_await client.create<T>`.
//
// Mode structured_outputs (Python's OPENROUTER_STRUCTURED_OUTPUTS) is what WorkflowAI
// recommends: the provider's structured generation guarantees the object matches the schema.
// The model name uses WorkflowAI's `<agent_name>/<model_name>` form, sent verbatim.
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

asio::awaitable<int> extract_user_info(ins::client client, std::string model,
                                       std::string user_message)
{
    ins::request req{
        .model = std::move(model),
        .messages = {ins::message::user(std::move(user_message))},
    };
    // Throws ins::error when the call fails (HTTP error, re-asks exhausted, ...).
    UserInfo user = co_await client.create<UserInfo>(req);
    std::cout << "Basic example result: UserInfo(name='" << user.name << "', age=" << user.age
              << ")\n";
    co_return 0;
}

int main()
{
    asio::io_context ioc;
    sample::endpoint ep(ioc.get_executor(), {.mode = ins::mode::structured_outputs});

    auto result = asio::co_spawn(
        ioc,
        extract_user_info(ep.client(), ep.model("user-info-extraction-agent"),
                          "John Doe is 32 years old."),
        asio::use_future);
    ioc.run();
    return sample::exit_code(result);
}
