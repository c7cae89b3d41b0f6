// Classification: an e-mail address into one of three kinds, as the seed's
// `kind: Literal["personal", "work", "unsure"]`, with a short justification.
//
// A described enum is a string enum on the wire: the model can only pick one of its names, so
// the answer is a C++ enum value to switch on, never a free-form string to compare.
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

BOOST_DEFINE_ENUM_CLASS(EmailKind, personal, work, unsure)

struct EmailAddressClassificationOutput {
    EmailKind kind;
    std::string justification;
};
BOOST_DESCRIBE_STRUCT(EmailAddressClassificationOutput, (), (kind, justification))

inline auto instructor_model(ins::tag<EmailAddressClassificationOutput>)
{
    return ins::model({},
                      ins::field(&EmailAddressClassificationOutput::justification,
                                 {.description = "One short sentence: why this kind",
                                  .max_length = 200}));
}

constexpr char const* instructions = R"(You must classify the email address as:
- 'personal' (gmail, yahoo, etc.),
- 'work' (company email address)
- or 'unsure'.)";

asio::awaitable<int> classify_all(sample::endpoint& ep)
{
    // The addresses, and on the mock what a model answers for each (no-op on a real endpoint).
    std::vector<std::pair<std::string, std::string>> const cases{
        {"steve@apple.com",
         R"({"kind": "work", "justification": "apple.com is a company domain."})"},
        {"john.doe@gmail.com",
         R"({"kind": "personal", "justification": "gmail.com is a consumer mail provider."})"},
        {"jd@mx42.example.net",
         R"({"kind": "unsure", "justification": "The domain says nothing about its owner."})"},
    };
    for (auto const& [address, answer] : cases) {
        ep.script_answer<EmailAddressClassificationOutput>(answer);
        ins::request req{
            .model = ep.model("email-classifier-agent"),
            .messages = {ins::message::system(instructions), ins::message::user(address)},
        };
        auto result =
            co_await ep.client().create<EmailAddressClassificationOutput>(std::move(req));
        std::cout << address << ": " << boost::describe::enum_to_string(result.kind, "?")
                  << " (" << result.justification << ")\n";
    }
    co_return 0;
}

int main()
{
    asio::io_context ioc;
    sample::endpoint ep(ioc.get_executor(), {.mode = ins::mode::structured_outputs});
    auto result = asio::co_spawn(ioc, classify_all(ep), asio::use_future);
    ioc.run();
    return sample::exit_code(result);
}
