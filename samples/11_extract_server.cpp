// Embedding instructor in a server: `POST /extract` turns a text into a UserInfo.
//
// The server (extract_server.hpp) awaits client.create<UserInfo> inside its request handler;
// it answers 200 with the object's JSON (ins::to_json), 400 for a body that is not
// {"text": "..."}, and 502 with the error's message when the extraction fails. This program
// starts it on a free port, sends itself one good and one bad request with
// ins::net::http_client, prints the answers and stops.
#include "extract_server.hpp"
#include "sample_endpoint.hpp"

#include <instructor/instructor.hpp>
#include <instructor/net/http_client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace ins = instructor;

/// POSTs `body` to the server; prints and returns the status.
asio::awaitable<unsigned> post(ins::net::http_client& http, std::string const& url,
                               std::string body)
{
    std::cout << "POST /extract " << body << "\n";
    ins::net::http_request req{.url = url, .headers = {{"Content-Type", "application/json"}},
                               .body = std::move(body)};
    try {
        // No network retries: a 5xx would otherwise be sent again.
        auto res = co_await http.send(std::move(req), {.max_retries = 0});
        std::cout << "  -> " << res.status << " " << res.body << "\n";
        co_return res.status;
    }
    catch (ins::error const& e) {  // http_client throws for a non-2xx status
        std::cout << "  -> " << e.http_status.value_or(0) << " " << e.provider_message << "\n";
        co_return static_cast<unsigned>(e.http_status.value_or(0));
    }
}

asio::awaitable<int> try_it(sample::extract_server& server)
{
    auto ex = co_await asio::this_coro::executor;
    ins::net::http_client http(ex);
    std::string const url = "http://127.0.0.1:" + std::to_string(server.port()) + "/extract";
    auto good = co_await post(http, url, R"({"text": "John Doe is 32 years old."})");
    auto bad = co_await post(http, url, "John Doe is 32 years old.");  // not JSON
    server.stop();
    co_return good == 200 && bad == 400 ? 0 : 1;
}

int main()
{
    asio::io_context ioc;
    sample::endpoint ep(ioc.get_executor(), {.mode = ins::mode::structured_outputs});
    sample::extract_server server(ioc.get_executor(), ep.client(),
                                  ep.model("user-info-extraction-agent"));
    server.start();
    std::cout << "extract server on http://127.0.0.1:" << server.port() << "/extract\n";

    auto result = asio::co_spawn(ioc, try_it(server), asio::use_future);
    ioc.run();
    return sample::exit_code(result);
}
