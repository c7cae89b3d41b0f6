// WorkflowAI input variables and deployments.
//
// 1. Templating: the instructions hold `{{email_address}}` and the value travels separately in
//    `extra_body["input"]`; WorkflowAI renders the template (Jinja2) and logs the input on its
//    own, which benchmarks and deployments need. `request::extra_body` is merged into the
//    request body last, so any provider-specific field can be sent this way.
// 2. Deployment: `model = "<agent>/#<schema_id>/<deployment>"` and NO messages: the
//    instructions, model and temperature are the ones registered in WorkflowAI's web app.
//
// Needs WORKFLOWAI_API_KEY for the real thing; without it the embedded mock answers, and the
// request bodies it received show what was sent.
#include "sample_endpoint.hpp"

#include <instructor/instructor.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/describe.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace ins = instructor;
namespace json = boost::json;

BOOST_DEFINE_ENUM_CLASS(EmailKind, personal, work, unsure)

struct EmailAddressClassificationOutput {
    EmailKind kind;
};
BOOST_DESCRIBE_STRUCT(EmailAddressClassificationOutput, (), (kind))

constexpr char const* instructions = R"(You must classify the email address as:
- 'personal' (gmail, yahoo, etc.),
- 'work' (company email address)
- or 'unsure'.
The email address is:
{{email_address}})";

asio::awaitable<int> classify(sample::endpoint& ep)
{
    auto& client = ep.client();

    // 1. Templated instructions + input variables.
    ep.script_answer<EmailAddressClassificationOutput>(R"({"kind": "work"})");  // the mock's answer
    ins::request templated{
        .model = "email-classifier-agent/gpt-4o-mini",
        .messages = {ins::message::system(instructions)},
    };
    templated.extra_body = json::object{{"input", {{"email_address", "steve@apple.com"}}}};
    auto result = co_await client.create<EmailAddressClassificationOutput>(templated);
    std::cout << "Classification: " << boost::describe::enum_to_string(result.kind, "?") << "\n";

    // 2. A deployment: the instructions live on the server, so no messages at all.
    ep.script_answer<EmailAddressClassificationOutput>(R"({"kind": "personal"})");
    ins::request deployed{.model = "email-classifier-agent/#1/production", .messages = {}};
    deployed.extra_body = json::object{{"input", {{"email_address", "john.doe@gmail.com"}}}};
    result = co_await client.create<EmailAddressClassificationOutput>(deployed);
    std::cout << "Deployment classification: "
              << boost::describe::enum_to_string(result.kind, "?") << "\n";

    if (auto* mock = ep.mock()) {
        // What went on the wire (response_format, with the schema, left out for brevity).
        for (auto const& r : mock->requests()) {
            auto body = json::parse(r.body).as_object();
            std::cout << "request body: model " << body.at("model") << ", messages "
                      << body.at("messages") << ", input " << body.at("input") << "\n";
        }
    }
    co_return 0;
}

int main()
{
    asio::io_context ioc;
    sample::endpoint ep(ioc.get_executor(), {.mode = ins::mode::structured_outputs},
                        sample::needs::workflowai);
    auto result = asio::co_spawn(ioc, classify(ep), asio::use_future);
    ioc.run();
    return sample::exit_code(result);
}
