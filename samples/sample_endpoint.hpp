// The endpoint a sample talks to: a real provider when a key is set, else the embedded mock.
//
// With OPENAI_API_KEY (or WORKFLOWAI_API_KEY) in the environment or in a `.env` file, the
// client comes from ins::from_env() and the requests go to that provider. Without a key, an
// instructor::testing::mock_server starts on 127.0.0.1 and answers like a provider (with an
// instance of the requested schema, or with what a sample scripted), so every sample runs
// offline. Either way one line says which endpoint is used; the key is never printed.
#pragma once

#include <instructor/instructor.hpp>
#include <instructor/testing/mock_reply.hpp>
#include <instructor/testing/mock_server.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <exception>
#include <future>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sample {

namespace ins = instructor;

enum class backend { mock, openai, workflowai };

/// What a sample needs from the provider.
enum class needs {
    any_provider,  ///< OpenAI or WorkflowAI (OpenAI first, as ins::from_env() does)
    workflowai,    ///< WorkflowAI features (input variables, deployments): else the mock
    openai,        ///< OpenAI's own APIs (batches): else the mock
};

class endpoint {
public:
    /// `options`: the sample's settings (mode, retries, ...); the base URL, the key and the
    /// default model are filled in here.
    /// `mock`: the embedded mock's settings when no key is set.
    explicit endpoint(boost::asio::any_io_executor ex, ins::client_options options = {},
                      needs what = needs::any_provider,
                      ins::testing::mock_options mock = {.workflowai_run_info = true})
    {
        bool const openai = !ins::getenv_or_dotenv("OPENAI_API_KEY").empty();
        bool const workflowai = !ins::getenv_or_dotenv("WORKFLOWAI_API_KEY").empty();
        if (openai && what != needs::workflowai) {
            backend_ = backend::openai;
            options.default_model = "gpt-4o-mini";
            client_.emplace(ins::from_env(ex, std::move(options)));
            std::cout << "endpoint: " << client_->options().base_url << " (OPENAI_API_KEY)\n";
        }
        else if (workflowai && what != needs::openai) {
            backend_ = backend::workflowai;
            options.default_model = "sample-agent/gpt-4o-mini-latest";
            if (what == needs::any_provider) {
                client_.emplace(ins::from_env(ex, std::move(options)));  // no OpenAI key here
            }
            else {
                // from_env would prefer an OpenAI key; from_provider reads WORKFLOWAI_API_KEY and
                // WORKFLOWAI_API_URL (it also sets WorkflowAI's mode: keep the sample's).
                auto o = ins::from_provider(ex, "workflowai/" + options.default_model, options)
                             .options();
                o.mode = options.mode;
                client_.emplace(ex, std::move(o));
            }
            std::cout << "endpoint: " << client_->options().base_url << " (WORKFLOWAI_API_KEY)\n";
        }
        else {
            // By default the mock reports a run's cost and page as WorkflowAI does.
            mock_ = std::make_unique<ins::testing::mock_server>(std::move(mock));
            options.base_url = mock_->base_url();
            options.api_key = "mock-key";
            options.default_model = "gpt-4o-mini";
            client_.emplace(ex, std::move(options));
            std::cout << "endpoint: embedded mock at " << mock_->base_url() << " ("
                      << (what == needs::workflowai ? "set WORKFLOWAI_API_KEY to use WorkflowAI"
                          : what == needs::openai   ? "set OPENAI_API_KEY to use OpenAI's batches"
                                                    : "set OPENAI_API_KEY or WORKFLOWAI_API_KEY to use a real model")
                      << ")\n";
        }
    }

    ins::client& client() noexcept { return *client_; }
    backend kind() const noexcept { return backend_; }
    bool is_mock() const noexcept { return backend_ == backend::mock; }
    /// The embedded mock (to script answers or read the requests it got); null otherwise.
    ins::testing::mock_server* mock() const noexcept { return mock_.get(); }

    /// The model to ask for: WorkflowAI's `<agent>/<model>` form (kept on the mock, which
    /// accepts any name), or plain "gpt-4o-mini" for OpenAI.
    std::string model(std::string_view agent) const
    {
        if (backend_ == backend::openai)
            return "gpt-4o-mini";
        return std::string(agent) + "/gpt-4o-mini-latest";
    }

    /// On the mock, queues `json_text` as the next answer, in the wire form of the client's
    /// mode (a tool call named after T, or the message content). Nothing on a real endpoint,
    /// where the model answers for itself.
    template <class T>
    void script_answer(std::string json_text) const
    {
        script_answer_as(ins::model_name<T>(), std::move(json_text));
    }
    /// The same for an answer that is not a model: the wire's `Response` model around it.
    void script_content(std::string content_json) const
    {
        script_answer_as("Response", R"({"content": )" + std::move(content_json) + "}");
    }
    void script_answer_as(std::string const& tool, std::string json_text) const
    {
        if (!mock_)
            return;
        if (ins::is_tools_mode(client_->options().mode))
            mock_->push(ins::testing::mock_reply::chat_tool_call(tool, std::move(json_text)));
        else
            mock_->push(ins::testing::mock_reply::chat_content(std::move(json_text)));
    }

private:
    // Declared first, destroyed last: the client's pooled connections go before the server.
    std::unique_ptr<ins::testing::mock_server> mock_;
    std::optional<ins::client> client_;
    backend backend_ = backend::mock;
};

/// The sample's exit code from its coroutine's future: its value, or 1 after printing what it
/// threw (an ins::error's message never contains the API key).
/// An OpenAI stream in which the model calls `tool` with `args`, streamed 6 characters a delta:
/// what a real model would send, scripted on the mock for the streaming samples.
inline ins::testing::mock_reply streamed_tool_call(std::string const& tool, std::string const& args)
{
    namespace json = boost::json;
    auto chunk = [](json::object delta, json::value finish) {
        return json::serialize(json::object{
            {"choices", json::array{json::object{
                            {"index", 0}, {"delta", std::move(delta)}, {"finish_reason", finish}}}}});
    };
    std::vector<std::string> events{chunk(
        {{"tool_calls", json::array{json::object{{"index", 0}, {"id", "call_1"}, {"type", "function"},
                                                 {"function", {{"name", tool}, {"arguments", ""}}}}}}},
        nullptr)};
    for (std::size_t i = 0; i < args.size(); i += 6)
        events.push_back(chunk({{"tool_calls", json::array{json::object{
                                                   {"index", 0},
                                                   {"function", {{"arguments", args.substr(i, 6)}}}}}}},
                               nullptr));
    events.push_back(chunk({}, "tool_calls"));
    return ins::testing::mock_reply::sse(events);
}

inline int exit_code(std::future<int>& result)
{
    try {
        return result.get();
    }
    catch (ins::error const& e) {
        std::cerr << "error: " << e.what();
        if (e.http_status)
            std::cerr << " (HTTP " << *e.http_status << ")";
        std::cerr << "\n";
    }
    catch (std::exception const& e) {
        std::cerr << "error: " << e.what() << "\n";
    }
    return 1;
}

}  // namespace sample
