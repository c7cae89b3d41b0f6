// Many extractions at once, with a bound on how many are in flight.
//
// A client is a handle that many calls may use at the same time (they share its connection
// pool). Here 4 worker coroutines pull texts from a shared index until none is left, so at most
// 4 requests are in flight; the results land at their input's position, so they print in
// input order whatever order they finish in. Everything runs on one thread: no locks needed.
#include "sample_endpoint.hpp"

#include <instructor/instructor.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/describe.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <vector>

namespace asio = boost::asio;
namespace ins = instructor;
using namespace asio::experimental::awaitable_operators;

struct UserInfo {
    std::string name;
    int age;
};
BOOST_DESCRIBE_STRUCT(UserInfo, (), (name, age))

/// The work shared by the workers.
struct batch {
    ins::client client;
    std::string model;
    std::vector<std::string> texts;
    std::vector<std::optional<UserInfo>> results;
    std::size_t next = 0;  ///< the next text to take
    int in_flight = 0;
    int peak = 0;          ///< most calls in flight at once
};

asio::awaitable<void> worker(batch& b)
{
    while (b.next < b.texts.size()) {
        std::size_t const i = b.next++;
        b.peak = std::max(b.peak, ++b.in_flight);
        try {
            ins::request req{
                .model = b.model,
                .messages = {ins::message::user(b.texts[i])},
            };
            b.results[i] = co_await b.client.create<UserInfo>(std::move(req));
        }
        catch (ins::error const& e) {
            std::cerr << "text " << i << ": " << e.what() << "\n";  // results[i] stays empty
        }
        --b.in_flight;
    }
}

asio::awaitable<int> extract_all(sample::endpoint& ep)
{
    batch b{.client = ep.client(), .model = ep.model("user-info-extraction-agent")};
    char const* names[] = {"Alice Johnson", "Bob Smith",   "Carol White",  "David Brown",
                           "Emma Davis",    "Frank Miller", "Grace Wilson", "Henry Moore",
                           "Irene Taylor",  "Jack Anderson", "Karen Thomas", "Liam Jackson",
                           "Mia Harris",    "Noah Martin",  "Olivia Lee",   "Paul Walker",
                           "Quinn Hall",    "Rosa Allen",   "Sam Young",    "Tina King"};
    for (int i = 0; i < 20; ++i)
        b.texts.push_back(std::string(names[i]) + " is " + std::to_string(20 + 3 * i) +
                          " years old.");
    b.results.resize(b.texts.size());

    auto const start = std::chrono::steady_clock::now();
    // Four workers at once; `&&` waits for all of them.
    co_await (worker(b) && worker(b) && worker(b) && worker(b));
    auto const ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);

    int failed = 0;
    for (std::size_t i = 0; i < b.results.size(); ++i) {
        if (auto const& u = b.results[i]) {
            std::cout << i << ": UserInfo(name='" << u->name << "', age=" << u->age << ")\n";
        }
        else {
            std::cout << i << ": failed\n";
            ++failed;
        }
    }
    std::cout << b.texts.size() << " extractions, at most " << b.peak << " in flight, " << failed
              << " failed, " << ms.count() << " ms in total\n";
    co_return failed == 0 ? 0 : 1;
}

int main()
{
    asio::io_context ioc;
    sample::endpoint ep(ioc.get_executor(), {.mode = ins::mode::structured_outputs});
    auto result = asio::co_spawn(ioc, extract_all(ep), asio::use_future);
    ioc.run();
    return sample::exit_code(result);
}
