// The typed side of batch results (template bodies of client.hpp): each line's answer decoded
// into T, and the merge of a first pass with its retry pass.
#pragma once

#include <instructor/client.hpp>

#include <unordered_map>

namespace instructor::detail {

/// Reads a batch's lines into batch_result<T>.
template <class T>
struct batch_line_decoder {
    T value{};
    value_target<T> target{value};
    batch_reader reader;

    batch_line_decoder(std::shared_ptr<client_state> s, batch const& b)
        : reader(std::move(s), b, many_alternatives<T>::value, target)
    {}

    boost::asio::awaitable<std::optional<batch_result<T>>> next()
    {
        auto line = co_await reader.next();
        if (!line)
            co_return std::nullopt;
        batch_result<T> r;
        r.custom_id = std::move(line->custom_id);
        r.error = std::move(line->failure);
        r.issues = std::move(line->issues);
        if (line->ok)
            r.value = std::move(value);
        co_return r;
    }
};

template <class T>
struct batch_results_state final : stream_state<batch_result<T>> {
    batch_line_decoder<T> lines;
    std::optional<batch_result<T>> ready;

    batch_results_state(std::shared_ptr<client_state> s, batch const& b)
        : stream_state<batch_result<T>>(s), lines(std::move(s), b)
    {}

    std::optional<batch_result<T>> take() override { return std::exchange(ready, std::nullopt); }
    boost::asio::awaitable<bool> advance() override
    {
        ready = co_await lines.next();
        co_return ready.has_value();
    }
    usage total_usage() const noexcept override { return lines.reader.total_usage(); }
    int attempts() const noexcept override { return 1; }
};

template <class T>
struct merged_results_state final : stream_state<batch_result<T>> {
    batch_line_decoder<T> first;
    std::optional<batch_line_decoder<T>> second;
    bool second_read = false;
    std::unordered_map<std::string, batch_result<T>> retried;  // custom_id -> second answer
    std::optional<batch_result<T>> ready;

    std::size_t cap = 0;  // second-pass results held at most: its lines

    merged_results_state(std::shared_ptr<client_state> s, batch const& a,
                         std::optional<batch> const& b)
        : stream_state<batch_result<T>>(s), first(s, a)
    {
        if (b) {
            second.emplace(std::move(s), *b);
            cap = result_lines_bound(*b);  // the lines sent, not what the server says
        }
    }

    std::optional<batch_result<T>> take() override { return std::exchange(ready, std::nullopt); }
    boost::asio::awaitable<bool> advance() override
    {
        if (second && !second_read) {
            while (auto r = co_await second->next()) {
                if (retried.size() >= cap)  // a server that keeps sending lines
                    throw error(errc::protocol_error,
                                "the retry batch has more results than its " +
                                    std::to_string(cap) + " requests");
                r->attempt = 2;
                auto id = r->custom_id;
                retried.insert_or_assign(std::move(id), std::move(*r));
            }
            second_read = true;
        }
        ready = co_await first.next();
        if (!ready)
            co_return false;
        if (!ready->value && !ready->error) {  // did not validate: the retry's answer, if any
            auto it = retried.find(ready->custom_id);
            if (it != retried.end()) {
                ready = std::move(it->second);
                retried.erase(it);
            }
        }
        co_return true;
    }
    usage total_usage() const noexcept override
    {
        auto u = first.reader.total_usage();
        if (second)
            u += second->reader.total_usage();
        return u;
    }
    int attempts() const noexcept override { return second ? 2 : 1; }
};

}  // namespace instructor::detail
