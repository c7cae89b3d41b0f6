// Classification with the answer returned bare: `create<Label>` for a described enum, and a
// `std::vector<Label>` for multi-label, with no struct written around them (Python Instructor's
// `response_model=Literal[...]` and `list[...]`).
//
// On the wire such an answer is the model `Response` with one property `content`; the client
// unwraps it, so the caller switches on the enum value.
#include "sample_endpoint.hpp"

#include <instructor/instructor.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/describe.hpp>

#include <iostream>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace ins = instructor;

BOOST_DEFINE_ENUM_CLASS(Label, billing, bug_report, feature_request, other)

asio::awaitable<int> classify(sample::endpoint& ep)
{
    // The messages, and on the mock what a model answers for each (no-op on a real endpoint).
    std::vector<std::pair<std::string, std::string>> const tickets{
        {"I was charged twice for my subscription this month.", R"("billing")"},
        {"The export button crashes the app on Android 14.", R"("bug_report")"},
        {"Could you add a dark mode?", R"("feature_request")"},
    };
    for (auto const& [text, answer] : tickets) {
        ep.script_content(answer);
        ins::request req{
            .model = ep.model("ticket-classifier-agent"),
            .messages = {ins::message::system("Classify the support ticket."),
                         ins::message::user(text)},
        };
        Label label = co_await ep.client().create<Label>(std::move(req));
        std::cout << boost::describe::enum_to_string(label, "?") << ": " << text << "\n";
    }

    // Several labels at once: a list of enum values.
    ep.script_content(R"(["billing", "bug_report"])");
    ins::request req{
        .model = ep.model("ticket-classifier-agent"),
        .messages = {ins::message::system("List every label that applies."),
                     ins::message::user("The app crashed during checkout and I was charged "
                                        "anyway.")},
    };
    auto labels = co_await ep.client().create<std::vector<Label>>(std::move(req));
    std::cout << "labels:";
    for (auto l : labels)
        std::cout << " " << boost::describe::enum_to_string(l, "?");
    std::cout << "\n";
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
