// A reasoning model with tools: Claude with extended thinking extracts a struct. With thinking
// on, the client offers the tool instead of forcing it (the API refuses a forced tool while the
// model thinks), re-asks a reply that skips it, and sends the thinking back unchanged on every
// re-ask. The thinking comes back in `completion.reasoning`.
//
// Runs on Anthropic when ANTHROPIC_API_KEY is set, else on the embedded mock (which thinks too).
#include "sample_endpoint.hpp"

#include <instructor/instructor.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/describe.hpp>
#include <boost/json/serialize.hpp>

#include <iostream>
#include <memory>
#include <optional>

namespace asio = boost::asio;
namespace ins = instructor;

struct Meeting {
    std::string title;
    std::string day;       // a weekday
    int attendees = 0;
};
BOOST_DESCRIBE_STRUCT(Meeting, (), (title, day, attendees))

asio::awaitable<int> extract(ins::client& client)
{
    ins::request req{
        .messages = {ins::message::user(
            "Planning sync moved from Monday to the day after. Ann, Bo and Cy will come, and "
            "Dee too if her flight lands.")},
    };
    ins::reasoning thinking;
    thinking.budget_tokens = 2048;  // Anthropic's extended thinking
    req.reasoning = thinking;
    auto r = co_await client.create_with_completion<Meeting>(std::move(req));
    std::cout << "title: " << r.value.title << "\nday: " << r.value.day
              << "\nattendees: " << r.value.attendees << "\nattempts: " << r.completion.attempts
              << "\n";
    if (r.completion.reasoning)
        std::cout << "thinking: " << r.completion.reasoning->substr(0, 200) << "\n";
    co_return 0;
}

/// On the mock, what a thinking model might answer: first prose without the tool (re-asked),
/// then the tool call, each after its signed thinking.
void script(ins::testing::mock_server& mock)
{
    namespace json = boost::json;
    auto message = [](std::string thought, json::object answer, std::string stop) {
        json::array content{json::object{{"type", "thinking"},
                                         {"thinking", std::move(thought)},
                                         {"signature", "mock-signature"}},
                            std::move(answer)};
        return ins::testing::mock_reply::json(json::serialize(json::object{
            {"type", "message"}, {"role", "assistant"}, {"content", std::move(content)},
            {"stop_reason", std::move(stop)},
            {"usage", {{"input_tokens", 120}, {"output_tokens", 80}}}}));
    };
    mock.push(message("Monday plus one day is Tuesday; Dee is unsure, so three.",
                      {{"type", "text"}, {"text", "It is on Tuesday with three people."}},
                      "end_turn"));
    mock.push(message("Asked for the tool: Planning sync, Tuesday, Ann, Bo and Cy.",
                      {{"type", "tool_use"}, {"id", "toolu_1"}, {"name", "Meeting"},
                       {"input", {{"title", "Planning sync"}, {"day", "Tuesday"}, {"attendees", 3}}}},
                      "tool_use"));
}

int main()
{
    asio::io_context ioc;
    ins::client_options o;
    o.mode = ins::mode::anthropic_tools;
    std::unique_ptr<ins::testing::mock_server> mock;  // declared first: destroyed last
    std::optional<ins::client> client;
    try {
        if (!ins::getenv_or_dotenv("ANTHROPIC_API_KEY").empty()) {
            client.emplace(ins::from_provider(ioc.get_executor(), "anthropic/claude-sonnet-4-5", o));
            std::cout << "endpoint: " << client->options().base_url << " (ANTHROPIC_API_KEY)\n";
        }
        else {
            mock = std::make_unique<ins::testing::mock_server>();
            o.base_url = mock->base_url();
            o.api_key = "mock-key";
            o.default_model = "claude-sonnet-4-5";
            client.emplace(ioc.get_executor(), o);
            script(*mock);
            std::cout << "endpoint: embedded mock at " << mock->base_url()
                      << " (set ANTHROPIC_API_KEY to use Claude)\n";
        }
    }
    catch (ins::error const& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    auto result = asio::co_spawn(ioc, extract(*client), asio::use_future);
    ioc.run();
    return sample::exit_code(result);
}
