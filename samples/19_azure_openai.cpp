// Azure OpenAI: from_provider("azure/<deployment>") reads the resource's endpoint, its key (sent
// in the `api-key` header, never as a bearer token) and the API version from the environment.
// A dated version ("2024-10-21") goes to the deployment's own paths with `api-version` on every
// request; "v1" (or none) to the OpenAI-shaped paths under /openai/v1. A call, then a stream.
//
// Runs on Azure when AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY are set (the deployment is
// AZURE_OPENAI_DEPLOYMENT, else gpt-4o-mini), else on the embedded mock, which answers on
// Azure's paths and refuses what Azure refuses (no key: 401; no api-version: 404).
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

namespace asio = boost::asio;
namespace ins = instructor;

struct Invoice {
    std::string vendor;
    double total = 0;
    std::string currency;  // ISO 4217
};
BOOST_DESCRIBE_STRUCT(Invoice, (), (vendor, total, currency))

asio::awaitable<int> extract(ins::client& client)
{
    auto ask = ins::message::user("Invoice from Contoso Ltd: 3 licences, 1,250.00 EUR in all.");
    ins::request req{.messages = {ask}};
    auto invoice = co_await client.create<Invoice>(req);
    std::cout << "vendor: " << invoice.vendor << "\ntotal: " << invoice.total << " "
              << invoice.currency << "\n";
    ins::request again{.messages = {ask}};
    auto s = client.create_partial<Invoice>(again);
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
        if (ins::getenv_or_dotenv("AZURE_OPENAI_ENDPOINT").empty() ||
            ins::getenv_or_dotenv("AZURE_OPENAI_API_KEY").empty()) {
            // The mock stands in for the resource: its root is the endpoint.
            mock = std::make_unique<ins::testing::mock_server>();
            auto const base = mock->base_url();
            ::setenv("AZURE_OPENAI_ENDPOINT", base.substr(0, base.rfind("/v1")).c_str(), 1);
            ::setenv("AZURE_OPENAI_API_KEY", "mock-azure-key", 1);
            ::setenv("OPENAI_API_VERSION", "2024-10-21", 1);
        }
        auto deployment = ins::getenv_or_dotenv("AZURE_OPENAI_DEPLOYMENT");
        client.emplace(ins::from_provider(
            ioc.get_executor(), "azure/" + (deployment.empty() ? "gpt-4o-mini" : deployment)));
        std::cout << "endpoint: " << client->options().base_url
                  << (mock ? " (the embedded mock; set AZURE_OPENAI_ENDPOINT and "
                             "AZURE_OPENAI_API_KEY to use Azure)\n"
                           : " (AZURE_OPENAI_API_KEY)\n");
    }
    catch (ins::error const& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    auto result = asio::co_spawn(ioc, extract(*client), asio::use_future);
    ioc.run();
    return sample::exit_code(result);
}
