// Templates and a validation context, client-side: the seed's e-mail classifier with its
// instructions written once as a template (`{{email_address}}`), rendered with each request's
// context before it is sent (Python Instructor's `context=`). The same context reaches the
// model's validate(), which checks the answer against the source: the domain the model names
// must occur in the address it was given, else the model is asked again with the reason.
//
// (09_workflowai_templating sends the template and the variables to WorkflowAI, which renders
// them server-side; this one renders them here, for any provider.)
#include "sample_endpoint.hpp"

#include <instructor/instructor.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/describe.hpp>

#include <iostream>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace ins = instructor;

BOOST_DEFINE_ENUM_CLASS(EmailKind, personal, work, unsure)

struct EmailAddressClassificationOutput {
    EmailKind kind;
    std::string domain;  // the part of the address the decision rests on

    // Grounding: the domain must be quoted from the address in the call's context.
    void validate(ins::validation_context& ctx) const
    {
        auto const* address = ctx.context().if_contains("email_address");
        if (address && address->is_string() &&
            std::string_view(address->get_string()).find(domain) == std::string_view::npos)
            ctx.fail("domain", "'" + domain + "' is not part of the address; quote its domain");
    }
};
BOOST_DESCRIBE_STRUCT(EmailAddressClassificationOutput, (), (kind, domain))

constexpr char const* instructions = R"(You must classify the email address as:
- 'personal' (gmail, yahoo, etc.),
- 'work' (company email address)
- or 'unsure'.
{{#known_work_domains}}
Known work domain: {{.}}
{{/known_work_domains}}
The email address is:
{{email_address}})";

asio::awaitable<int> classify(sample::endpoint& ep)
{
    // On the mock, an answer whose domain is not in the address, then a right one: the
    // validator's reason goes back to the model (no-op on a real endpoint).
    ep.script_answer<EmailAddressClassificationOutput>(R"({"kind": "work", "domain": "apple.org"})");
    ep.script_answer<EmailAddressClassificationOutput>(R"({"kind": "work", "domain": "apple.com"})");

    ins::request req{
        .model = ep.model("email-classifier-agent"),
        .messages = {ins::message::user(instructions)},
    };
    req.context = boost::json::object{
        {"email_address", "steve@apple.com"},
        {"known_work_domains", boost::json::array{"apple.com", "example.com"}},
    };
    auto [result, completion] =
        co_await ep.client().create_with_completion<EmailAddressClassificationOutput>(req);
    std::cout << "Classification: " << boost::describe::enum_to_string(result.kind, "?")
              << " (domain " << result.domain << ", " << completion.attempts
              << (completion.attempts == 1 ? " attempt)\n" : " attempts)\n");

    // What was sent: the template rendered with the context.
    if (auto* mock = ep.mock())
        std::cout << "sent:\n"
                  << boost::json::parse(mock->requests().at(0).body)
                         .at("messages").at(0).at("content").as_string().c_str()
                  << "\n";
    co_return 0;
}

int main()
{
    asio::io_context ioc;
    sample::endpoint ep(ioc.get_executor(), {.mode = ins::mode::tools});
    auto result = asio::co_spawn(ioc, classify(ep), asio::use_future);
    ioc.run();
    return sample::exit_code(result);
}
