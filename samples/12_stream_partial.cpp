// Streaming a partial object: `create_partial<T>` yields a snapshot each time the object grows
// (a field appears, a string gets longer), then the final, validated object. Each byte of the
// stream is parsed once: the object is built in place as the text arrives.
#include "sample_endpoint.hpp"

#include <instructor/instructor.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/describe.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace ins = instructor;

struct MeetingNotes {
    std::string title;
    std::string summary;
    std::vector<std::string> action_items;
};
BOOST_DESCRIBE_STRUCT(MeetingNotes, (), (title, summary, action_items))

asio::awaitable<int> stream_notes(ins::client client, std::string model)
{
    ins::request req;
    req.model = std::move(model);
    req.messages.push_back(ins::message::user(
        "Summarise: the team agreed to ship on Friday; Ann fixes the login bug, Bob writes the "
        "release notes."));
    auto notes = client.create_partial<MeetingNotes>(req);
    int snapshots = 0;
    while (auto p = co_await notes.next()) {
        ++snapshots;
        if (p->complete) {
            std::cout << "final (attempt " << p->attempt << "): " << ins::to_json(p->value) << "\n";
        }
        else if (snapshots % 5 == 1) {  // every 5th snapshot, to keep the output short
            std::cout << "  partial: title='" << p->value.title << "', summary='"
                      << p->value.summary << "', " << p->value.action_items.size()
                      << " action item(s)"
                      << (p->has(&MeetingNotes::action_items) ? "" : " (key not seen yet)")
                      << "\n";
        }
    }
    std::cout << snapshots << " snapshots, " << notes.total_usage().total_tokens
              << " tokens\n";
    co_return 0;
}

int main()
{
    asio::io_context ioc;
    sample::endpoint ep(ioc.get_executor(), {.mode = ins::mode::tools});
    // On the mock, script what a model would stream (its default answer is a bare schema instance).
    if (auto* mock = ep.mock()) {
        std::string const args =
            R"({"title":"Release planning","summary":"The team agreed to ship on Friday.",)"
            R"("action_items":["Ann fixes the login bug","Bob writes the release notes"]})";
        mock->push(sample::streamed_tool_call("MeetingNotes", args));
    }
    auto result = asio::co_spawn(ioc, stream_notes(ep.client(), ep.model("meeting-notes-agent")),
                                 asio::use_future);
    ioc.run();
    return sample::exit_code(result);
}
