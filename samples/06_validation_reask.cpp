// Validation and re-asks: a model's own rule, and what happens when an answer breaks it.
//
// `void validate(ins::validation_context&) const` runs after the fields decoded (like a
// Pydantic `field_validator`). Each `ctx.fail(path, message)` is an issue; when an answer has
// issues, the client asks again with them (as a tool result the model reads), up to
// `request::max_retries` more times. The `parse_error` hook sees each rejected answer.
#include "sample_endpoint.hpp"

#include <instructor/instructor.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/describe.hpp>
#include <boost/json/parse.hpp>

#include <cctype>
#include <iostream>

namespace asio = boost::asio;
namespace ins = instructor;
using instructor::testing::mock_reply;

struct UserDetail {
    int age;
    std::string name;

    // The Instructor docs' validator: the name must be in uppercase.
    void validate(ins::validation_context& ctx) const
    {
        for (unsigned char c : name)
            if (std::islower(c)) {
                ctx.fail("name", "Name must be in uppercase.");
                return;
            }
    }
};
BOOST_DESCRIBE_STRUCT(UserDetail, (), (age, name))

asio::awaitable<int> extract(sample::endpoint& ep)
{
    if (auto* mock = ep.mock()) {
        // Script the mock as a model that first ignores the rule, then follows the re-ask.
        mock->push(mock_reply::chat_tool_call("UserDetail", R"({"age": 25, "name": "jason"})"));
        mock->push(mock_reply::chat_tool_call("UserDetail", R"({"age": 25, "name": "JASON"})"));
    }

    ins::request req{
        .model = ep.model("user-detail-agent"),
        .messages = {ins::message::user("Extract jason is 25 years old")},
        .max_retries = 2,
    };
    // A hook for this call only: print why an answer was rejected.
    req.call_hooks.on(ins::hook::parse_error, [](ins::hook_event const& e) {
        std::cout << "attempt " << e.attempt << " of " << e.max_attempts << " rejected:\n"
                  << ins::format_issues(e.issues) << "\n";
    });

    auto [user, completion] = co_await ep.client().create_with_completion<UserDetail>(req);
    std::cout << "UserDetail(age=" << user.age << ", name='" << user.name << "') after "
              << completion.attempts << (completion.attempts == 1 ? " attempt\n" : " attempts\n");
    if (auto* mock = ep.mock(); mock && mock->requests().size() > 1) {
        // The re-ask as the mock received it: the last message is the tool result with the issues.
        auto body = boost::json::parse(mock->requests()[1].body);
        auto const& last = body.at("messages").as_array().back();
        std::cout << "the re-ask's last message (role "
                  << std::string_view(last.at("role").as_string()) << "):\n"
                  << std::string_view(last.at("content").as_string()) << "\n";
    }
    co_return user.name == "JASON" ? 0 : 1;
}

int main()
{
    asio::io_context ioc;
    sample::endpoint ep(ioc.get_executor(), {.mode = ins::mode::tools});
    auto result = asio::co_spawn(ioc, extract(ep), asio::use_future);
    ioc.run();
    return sample::exit_code(result);
}
