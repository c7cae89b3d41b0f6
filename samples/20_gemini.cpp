// Gemini's own API: from_provider("google/<model>") speaks generateContent with a forced
// function (genai_tools; the key in the x-goog-api-key header, never in the URL), thinks within
// a budget (`request::reasoning`), and returns the thoughts in `completion.reasoning`. Then the
// same question streamed with the JSON schema as responseJsonSchema (genai_structured_outputs).
//
// Runs on Gemini when GEMINI_API_KEY (or GOOGLE_API_KEY) is set, else on the embedded mock,
// which answers generateContent and its stream (and thinks when asked).
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

struct Flight {
    std::string number;       // e.g. "LH 2031"
    std::string from;         // IATA code
    std::string to;           // IATA code
    std::vector<std::string> passengers;
};
BOOST_DESCRIBE_STRUCT(Flight, (), (number, from, to, passengers))

asio::awaitable<int> extract(ins::client& client)
{
    auto const text = "Ann and Bo fly LH 2031 from Munich to Lisbon on Friday.";
    ins::request req{.messages = {ins::message::user(text)}};
    ins::reasoning thinking;
    thinking.budget_tokens = 1024;
    req.reasoning = thinking;
    auto r = co_await client.create_with_completion<Flight>(std::move(req));
    std::cout << "flight: " << r.value.number << " " << r.value.from << " -> " << r.value.to
              << " (" << r.value.passengers.size() << " passengers)\n"
              << "reasoning tokens: " << r.completion.total_usage.reasoning_tokens << "\n";
    if (r.completion.reasoning)
        std::cout << "thoughts: " << r.completion.reasoning->substr(0, 160) << "\n";

    ins::request again{.messages = {ins::message::user(text)}};
    again.mode = ins::mode::genai_structured_outputs;
    auto s = client.create_partial<Flight>(again);
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
        if (ins::getenv_or_dotenv("GEMINI_API_KEY").empty() &&
            ins::getenv_or_dotenv("GOOGLE_API_KEY").empty()) {
            mock = std::make_unique<ins::testing::mock_server>();
            ::setenv("GEMINI_API_KEY", "mock-gemini-key", 1);
            ::setenv("GEMINI_BASE_URL", mock->base_url().c_str(), 1);
        }
        client.emplace(ins::from_provider(ioc.get_executor(), "google/gemini-2.5-flash"));
        std::cout << "endpoint: " << client->options().base_url
                  << (mock ? " (the embedded mock; set GEMINI_API_KEY to use Gemini)\n"
                           : " (GEMINI_API_KEY)\n");
    }
    catch (ins::error const& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    auto result = asio::co_spawn(ioc, extract(*client), asio::use_future);
    ioc.run();
    return sample::exit_code(result);
}
