// Fallback endpoints: when the primary endpoint fails with a server, timeout, rate-limit or
// connection error (after its network retries), the same attempt goes to the next one in
// client_options::fallbacks, each with its own URL, key and optionally model.
//
// Here the primary is a port on 127.0.0.1 where nothing listens (a mock server was started
// there, its port noted, and the server destroyed), and the fallback is the sample's endpoint:
// the embedded mock, or the real provider when a key is set.
#include "sample_endpoint.hpp"

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_server.hpp>

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

std::string dead_endpoint()
{
    ins::testing::mock_server gone;
    return gone.base_url();  // nobody listens there once `gone` is destroyed
}

asio::awaitable<int> extract(ins::client client, std::string model)
{
    client.on(ins::hook::completion_error, [](ins::hook_event const& e) {
        std::cout << "completion_error hook: attempt " << e.attempt << " at " << e.endpoint
                  << " failed: " << e.error->what() << "\n";
    });
    ins::request req{
        .model = std::move(model),
        .messages = {ins::message::user("John Doe is 32 years old.")},
    };
    auto [user, completion] = co_await client.create_with_completion<UserInfo>(std::move(req));
    std::cout << "UserInfo(name='" << user.name << "', age=" << user.age << ")\n"
              << "answered by: " << completion.endpoint
              << (completion.endpoint == client.options().base_url ? " (the primary)\n"
                                                                   : " (the fallback)\n");
    co_return completion.endpoint == client.options().base_url ? 1 : 0;
}

int main()
{
    asio::io_context ioc;
    sample::endpoint live(ioc.get_executor(), {.mode = ins::mode::tools});
    auto const& l = live.client().options();

    ins::client_options o = l;  // the live endpoint's settings, then:
    o.base_url = dead_endpoint();
    o.api_key = "sk-primary";  // never sent: nothing answers there
    o.max_network_retries = 0;  // fall back at once instead of retrying the dead port
    o.fallbacks = {{.base_url = l.base_url, .api_key = l.api_key, .model = {}}};
    std::cout << "primary:  " << o.base_url << " (nothing listens there)\n"
              << "fallback: " << l.base_url << "\n";
    ins::client client(ioc.get_executor(), o);

    auto result = asio::co_spawn(
        ioc, extract(client, live.model("user-info-extraction-agent")), asio::use_future);
    ioc.run();
    return sample::exit_code(result);
}
