// The raw completion and the token usage: create_with_completion<T>.
//
// Besides the object, it returns the accepted attempt's response JSON (`raw`: id, model,
// system_fingerprint, ...), the usage summed over every attempt (re-asks cost tokens too), how
// many attempts were made, which endpoint answered (see 10_fallback), and where the provider
// reports them (WorkflowAI, OpenRouter), the cost in dollars and the run's page.
#include "sample_endpoint.hpp"

#include <instructor/instructor.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/describe.hpp>
#include <boost/json/serialize.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace ins = instructor;

struct UserInfo {
    std::string name;
    int age;
};
BOOST_DESCRIBE_STRUCT(UserInfo, (), (name, age))

asio::awaitable<int> extract(sample::endpoint& ep)
{
    // On the mock, a first answer that does not validate, so the usage below sums two attempts
    // (the mock's default answer follows). No-op on a real endpoint.
    ep.script_answer<UserInfo>(R"({"name": "John Doe", "age": "thirty-two"})");

    ins::request req{
        .model = ep.model("user-info-extraction-agent"),
        .messages = {ins::message::user("John Doe is 32 years old.")},
    };
    auto [user, completion] =
        co_await ep.client().create_with_completion<UserInfo>(std::move(req));

    // The response JSON as the provider sent it.
    auto const& raw = completion.raw.as_object();
    auto field = [&raw](char const* key) {
        auto const* v = raw.if_contains(key);
        if (!v)
            return std::string("(none)");
        return v->is_string() ? std::string(v->get_string()) : boost::json::serialize(*v);
    };
    std::cout << "UserInfo(name='" << user.name << "', age=" << user.age << ")\n"
              << "completion id:    " << field("id") << "\n"
              << "model:            " << field("model") << "\n"
              << "attempts:         " << completion.attempts << "\n"
              << "endpoint:         " << completion.endpoint << "\n"
              << "usage, last attempt: " << field("usage") << "\n"
              << "usage, all attempts: prompt " << completion.total_usage.prompt_tokens
              << ", completion " << completion.total_usage.completion_tokens << ", total "
              << completion.total_usage.total_tokens << " tokens\n";
    if (auto cost = completion.total_usage.cost_usd)
        std::cout << "cost, all attempts: $" << *cost << "\n";
    else
        std::cout << "cost:             (not reported by this provider)\n";
    std::cout << "run:              " << completion.run_url.value_or("(no run page)") << "\n";
    co_return 0;
}

int main()
{
    asio::io_context ioc;
    sample::endpoint ep(ioc.get_executor(), {.mode = ins::mode::structured_outputs});
    auto result = asio::co_spawn(ioc, extract(ep), asio::use_future);
    ioc.run();
    return sample::exit_code(result);
}
