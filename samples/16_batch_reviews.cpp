// Batches: many extractions run by the provider's batch service, at half the price, typed.
// `create_batch<Review>` writes one line per request (the body `create<Review>` would send),
// uploads the file and creates the batch; `wait_batch` polls until it ends; `batch_results`
// decodes each line into a Review as the results file is read. The lines whose answers did not
// validate go to a second batch of re-asks (`retry_batch_failures`), and
// `merged_batch_results` gives one final result per review.
//
// On the embedded mock the batch ends in a moment and one answer is scripted invalid, so the
// retry pass has something to do. With OPENAI_API_KEY set, the batch runs at OpenAI (up to 24
// hours): the sample creates it, shows its status and stops; follow it with
// `instructor-batch wait <id> --url https://api.openai.com/v1` (or set
// INSTRUCTOR_SAMPLE_WAIT=1 to wait here).
#include "sample_endpoint.hpp"

#include <instructor/instructor.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/describe.hpp>

#include <cstdlib>
#include <iostream>

namespace asio = boost::asio;
namespace ins = instructor;

struct Review {
    std::string product;
    int stars;
    std::string summary;
};
BOOST_DESCRIBE_STRUCT(Review, (), (product, stars, summary))

inline auto instructor_model(ins::tag<Review>)
{
    return ins::model({.description = "A product review"},
                      ins::field(&Review::stars, {.minimum = 1, .maximum = 5}),
                      ins::field(&Review::summary, {.description = "One sentence"}));
}

asio::awaitable<int> run(ins::client client, bool mock)
{
    std::vector<std::string> const texts = {
        "The Aero kettle boils fast and looks great. Five stars.",
        "My Nimbus headphones broke after a week: one star, avoid.",
        "The Orbit lamp is fine, nothing special, three stars.",
        "Loving the Summit backpack, four stars, pockets everywhere.",
    };
    std::vector<ins::request> reqs;
    for (auto const& t : texts) {
        ins::request r;
        r.messages.push_back(ins::message::system("Extract the product review."));
        r.messages.push_back(ins::message::user(t));
        reqs.push_back(std::move(r));
    }
    auto b = co_await client.create_batch<Review>(reqs);
    std::cout << "created " << b.id << " (" << b.status << ", " << b.total << " requests to "
              << b.endpoint << ")\n";
    if (!mock && !std::getenv("INSTRUCTOR_SAMPLE_WAIT")) {
        std::cout << "it runs at the provider for up to 24 hours: instructor-batch wait " << b.id
                  << " --url " << client.options().base_url << "\n";
        co_return 0;
    }

    ins::wait_options wo;
    wo.first_poll = std::chrono::milliseconds(mock ? 50 : 10'000);
    wo.on_progress = [](ins::batch const& x) {
        std::cout << "  " << x.status << ": " << x.completed << "/" << x.total << " done\n";
    };
    b = co_await client.wait_batch(b, wo);  // the batch, not its id: its mode and lines kept

    auto first = client.batch_results<Review>(b);
    while (auto r = co_await first.next()) {
        if (r->value)
            std::cout << "  #" << r->custom_id << " " << r->value->product << ": "
                      << r->value->stars << " stars\n";
        else if (r->error)
            std::cout << "  #" << r->custom_id << " failed: " << r->error->what() << "\n";
        else
            std::cout << "  #" << r->custom_id << " did not validate:\n"
                      << ins::format_issues(r->issues) << "\n";
    }

    auto second = co_await client.retry_batch_failures<Review>(b, reqs);
    if (second) {
        std::cout << "re-asking " << second->total << " answer(s) in " << second->id << "\n";
        second = co_await client.wait_batch(*second, wo);
    }
    auto merged = client.merged_batch_results<Review>(b, second);
    int valid = 0;
    while (auto r = co_await merged.next())
        if (r->value) {
            ++valid;
            std::cout << "  final #" << r->custom_id << " (attempt " << r->attempt
                      << "): " << ins::to_json(*r->value) << "\n";
        }
    std::cout << valid << " of " << texts.size() << " reviews extracted\n";
    co_return valid == static_cast<int>(texts.size()) ? 0 : 1;
}

int main()
{
    asio::io_context ioc;
    // The mock: batches end 200 ms after they are created; review 2's first answer is `{}`.
    ins::testing::mock_options mo;
    mo.batch_delay = std::chrono::milliseconds(200);
    mo.batch_invalid_ids = {"2"};
    sample::endpoint ep(ioc.get_executor(), {.mode = ins::mode::tools}, sample::needs::openai, mo);
    auto result = asio::co_spawn(ioc, run(ep.client(), ep.is_mock()), asio::use_future);
    ioc.run();
    return sample::exit_code(result);
}
