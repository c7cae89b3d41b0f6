// Enums and field annotations: triage a customer e-mail into a `SupportTicket`.
//
// `BOOST_DEFINE_ENUM_CLASS` makes a string enum (Python's `class Priority(str, Enum)`): the
// schema lists its names and the decoder accepts only those. `instructor_model(ins::tag<T>)`,
// found by argument-dependent lookup, attaches descriptions and constraints: they appear in the
// schema the model reads, and the decoder enforces them (a violation is re-asked).
#include "sample_endpoint.hpp"

#include <instructor/instructor.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/describe.hpp>
#include <boost/json/serialize.hpp>

#include <iostream>
#include <vector>

namespace asio = boost::asio;
namespace ins = instructor;

BOOST_DEFINE_ENUM_CLASS(Priority, low, medium, high, urgent)

struct SupportTicket {
    std::string category;
    Priority priority;
    std::string summary;
    bool requires_escalation;
    std::vector<std::string> tags;
};
BOOST_DESCRIBE_STRUCT(SupportTicket, (), (category, priority, summary, requires_escalation, tags))

inline auto instructor_model(ins::tag<SupportTicket>)
{
    return ins::model(
        {.description = "A customer support ticket, triaged"},
        ins::field(&SupportTicket::category,
                   {.description = "One of: billing, technical, account, other"}),
        ins::field(&SupportTicket::priority, {.description = "How soon someone must act"}),
        ins::field(&SupportTicket::summary, {.description = "One sentence for the support agent",
                                             .min_length = 10,
                                             .max_length = 200}),
        ins::field(&SupportTicket::tags, {.description = "Short keywords", .min_items = 1,
                                          .max_items = 5}));
}

constexpr char const* customer_email =
    "Customer email: My payment is failing repeatedly since this morning and our whole team is "
    "locked out of the account. This is urgent, we have a release today!";

asio::awaitable<int> triage(sample::endpoint& ep)
{
    // The schema carries the enum's names, the descriptions and the constraints.
    std::cout << "schema: " << boost::json::serialize(ins::json_schema<SupportTicket>()) << "\n";

    // On the mock, what a model answers (no-op on a real endpoint).
    ep.script_answer<SupportTicket>(
        R"({"category": "billing", "priority": "urgent",
            "summary": "Repeated payment failures have locked the customer's team out.",
            "requires_escalation": true, "tags": ["payment", "lockout"]})");

    ins::request req{
        .model = ep.model("support-triage-agent"),
        .messages = {ins::message::user(customer_email)},
    };
    auto ticket = co_await ep.client().create<SupportTicket>(std::move(req));

    std::cout << "category:    " << ticket.category << "\n"
              << "priority:    " << boost::describe::enum_to_string(ticket.priority, "?") << "\n"
              << "summary:     " << ticket.summary << "\n"
              << "escalate:    " << (ticket.requires_escalation ? "yes" : "no") << "\n"
              << "tags:        ";
    for (auto const& t : ticket.tags)
        std::cout << t << (&t == &ticket.tags.back() ? "\n" : ", ");
    co_return 0;
}

int main()
{
    asio::io_context ioc;
    sample::endpoint ep(ioc.get_executor(), {.mode = ins::mode::tools});  // Instructor's default
    auto result = asio::co_spawn(ioc, triage(ep), asio::use_future);
    ioc.run();
    return sample::exit_code(result);
}
