// Amazon Bedrock's Converse API: from_provider("bedrock/<modelId>") signs each request with AWS
// Signature Version 4 from the standard AWS variables (or sends a Bedrock API key as a bearer
// token), forces a tool (bedrock_tools), and thinks within a budget on Claude models. Then the
// same question streamed: converse-stream's event-stream frames, read as they arrive, in
// bedrock_json.
//
// Runs on Bedrock when AWS_BEARER_TOKEN_BEDROCK or AWS_ACCESS_KEY_ID is set (with AWS_REGION),
// else on the embedded mock, which checks the signature against its own secret.
#include "sample_endpoint.hpp"

#include <instructor/instructor.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/describe.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <vector>

namespace asio = boost::asio;
namespace ins = instructor;

struct Order {
    std::string customer;
    std::vector<std::string> items;
    double total_eur = 0;
};
BOOST_DESCRIBE_STRUCT(Order, (), (customer, items, total_eur))

asio::awaitable<int> extract(ins::client& client)
{
    auto const text = "Maria ordered two lamps and a rug for 240 euros.";
    ins::request req{.messages = {ins::message::user(text)}};
    ins::reasoning thinking;
    thinking.budget_tokens = 1024;
    req.reasoning = thinking;
    auto r = co_await client.create_with_completion<Order>(std::move(req));
    std::cout << "order: " << r.value.customer << ", " << r.value.items.size() << " items, "
              << r.value.total_eur << " EUR\n"
              << "tokens: " << r.completion.total_usage.total_tokens << "\n";
    if (r.completion.reasoning)
        std::cout << "reasoning: " << r.completion.reasoning->substr(0, 160) << "\n";

    ins::request again{.messages = {ins::message::user(text)}};
    again.mode = ins::mode::bedrock_json;
    auto s = client.create_partial<Order>(again);
    int snapshots = 0;
    for (;;) {
        auto p = co_await s.next();
        if (!p)
            break;
        ++snapshots;
    }
    std::cout << "streamed in " << snapshots << " snapshots\n";
    co_return 0;
}

int main()
{
    asio::io_context ioc;
    std::unique_ptr<ins::testing::mock_server> mock;  // declared first: destroyed last
    std::optional<ins::client> client;
    try {
        if (ins::getenv_or_dotenv("AWS_BEARER_TOKEN_BEDROCK").empty() &&
            ins::getenv_or_dotenv("AWS_ACCESS_KEY_ID").empty()) {
            mock = std::make_unique<ins::testing::mock_server>();
            auto const base = mock->base_url();
            ::setenv("AWS_ACCESS_KEY_ID", "AKIDSAMPLE", 1);
            ::setenv("AWS_SECRET_ACCESS_KEY", ins::testing::mock_options{}.aws_secret_access_key.c_str(), 1);
            ::setenv("AWS_REGION", "us-east-1", 1);
            ::setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", base.substr(0, base.rfind("/v1")).c_str(), 1);
        }
        client.emplace(ins::from_provider(ioc.get_executor(),
                                          "bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0"));
        std::cout << "endpoint: " << client->options().base_url
                  << (mock ? " (the embedded mock; set AWS_ACCESS_KEY_ID or "
                             "AWS_BEARER_TOKEN_BEDROCK to use Bedrock)\n"
                           : " (AWS credentials)\n");
    }
    catch (ins::error const& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    auto result = asio::co_spawn(ioc, extract(*client), asio::use_future);
    ioc.run();
    return sample::exit_code(result);
}
