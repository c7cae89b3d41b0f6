// The batch operations: short Asio loops that run the batch services (batch_api) over the
// client's transport. What they show leaves through the client's exit (client/redaction.hpp):
// every error (rethrow_as_error), each line's failure and each batch's failure (shown).
#include "protocol/batch_api.hpp"
#include "batch/batch_lines.hpp"
#include "batch/batch_ops.hpp"
#include "client/client_state.hpp"
#include "client/driver.hpp"
#include "net/net_errors.hpp"

#include <instructor/client.hpp>

#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <unordered_set>

namespace instructor {

namespace asio = boost::asio;

namespace detail {

namespace json = boost::json;

namespace {

endpoint_config primary(client_state const& s) { return {s.opts.base_url, s.opts.api_key, {}}; }

net::retry_settings retry_of(client_state const& s,
                             std::optional<std::chrono::steady_clock::time_point> deadline = {})
{
    return {.max_retries = s.opts.max_network_retries, .attempt_timeout = {}, .deadline = deadline};
}

batch kept(batch b, batch_kept const& keep)
{
    if (!b.mode)
        b.mode = keep.m;
    b.submitted = keep.submitted;
    return b;
}

/// A batch as the caller sees it: its failure through the client's exit.
batch shown(client_state const& s, batch b)
{
    if (!b.failure.empty())
        b.failure = s.exit.apply(std::move(b.failure));
    return b;
}

/// Runs the create steps of what `api` holds (submit_op on the engine's driver); the batch,
/// with the mode it was written in. An upload is retried on network faults as any request; the
/// call that creates the batch is marked not idempotent by its service, so the transport sends
/// it at most once (a create whose answer was lost may have made a batch: a second would run
/// twice).
asio::awaitable<batch> submit(client_state& s, batch_api& api, batch_options const& opts, mode m)
{
    submit_op op(api, primary(s), opts, m, retry_of(s), [&s](batch b) { return shown(s, std::move(b)); });
    driver d(s, op);
    co_await d.run();
    co_return std::move(op.result());
}

/// What a batch of `reqs` is written with: its mode, that mode's wire and batch service.
struct batch_writer {
    mode m;
    std::unique_ptr<wire> w;
    std::unique_ptr<batch_api> api;
};

batch_writer writer_for(client_state const& s, std::span<request const> reqs, bool many)
{
    mode const m = batch_mode(reqs, s.opts, many);
    return {m, make_wire(m, s.opts), make_batch_api(m, s.opts, s.exit.secrets())};
}

}  // namespace

asio::awaitable<batch> run_create_batch(std::shared_ptr<client_state> s,
                                        std::span<request const> reqs,
                                        std::vector<tool_spec> tools, bool many,
                                        batch_options opts)
{
    try {
        auto const& o = s->opts;
        auto bw = writer_for(*s, reqs, many);
        std::unordered_set<std::string_view> seen;  // only for ids the caller chose
        for (std::size_t i = 0; i < reqs.size(); ++i) {
            auto id = custom_id_of(opts, i, reqs.size());
            if (!opts.custom_ids.empty() && !seen.insert(opts.custom_ids[i]).second)
                throw error(errc::invalid_argument,
                            "custom_id \"" + id + "\" is given to more than one request");
            auto p = prepare(*bw.w, reqs[i], o, tools);  // one request copied at a time
            bw.api->add(id, line_body(*bw.w, p, tools));
        }
        auto b = co_await submit(*s, *bw.api, opts, bw.m);  // GCC 12: no co_return co_await in a try
        co_return b;
    }
    catch (...) {
        rethrow_as_error(*s, std::current_exception());
    }
}

asio::awaitable<batch> run_batch_op(std::shared_ptr<client_state> s, batch_op op, std::string id,
                                    batch_kept keep)
{
    try {
        auto api = make_batch_api(s->opts.mode, s->opts, s->exit.secrets());
        auto const ep = primary(*s);
        batch b;
        request_op step(op == batch_op::retrieve ? api->retrieve(ep, id) : api->cancel(ep, id),
                        retry_of(*s), [&](json::value const& v) {
                            b = shown(*s, kept(api->parse_batch(v), keep));
                        });
        driver d(*s, step);
        co_await d.run();
        co_return b;
    }
    catch (...) {
        rethrow_as_error(*s, std::current_exception());
    }
}

asio::awaitable<batch> run_wait_batch(std::shared_ptr<client_state> s, std::string id,
                                      wait_options wo, batch_kept keep)
{
    auto api = make_batch_api(s->opts.mode, s->opts, s->exit.secrets());
    wait_op op(*api, primary(*s), std::move(id), std::move(wo), retry_of(*s),
               [&](json::value const& v) { return shown(*s, kept(api->parse_batch(v), keep)); });
    try {
        driver d(*s, op);
        co_await d.run();
    }
    catch (...) {
        if (op.callback_threw())
            throw;  // the caller's on_progress: it propagates as it is
        rethrow_as_error(*s, std::current_exception());
    }
    co_return std::move(op.result());
}

asio::awaitable<batch_page> run_list_batches(std::shared_ptr<client_state> s, list_options lo)
{
    try {
        auto api = make_batch_api(s->opts.mode, s->opts, s->exit.secrets());
        batch_page page;
        request_op step(api->list(primary(*s), lo), retry_of(*s), [&](json::value const& v) {
            page = api->parse_page(v);
            for (auto& b : page.batches)
                b = shown(*s, std::move(b));
        });
        driver d(*s, step);
        co_await d.run();
        co_return page;
    }
    catch (...) {
        rethrow_as_error(*s, std::current_exception());
    }
}

/// Reads a batch's result files line by line: the results machine (batch_ops.hpp) on the
/// engine's driver (batch_reader's body; the retry pass reads with it too).
struct line_reader {
    std::shared_ptr<client_state> s;
    mode m;
    std::unique_ptr<wire> w;
    std::unique_ptr<batch_api> api;
    results_op op;
    driver d;

    line_reader(std::shared_ptr<client_state> st, batch const& b, bool many, answer_target& target)
        : s(std::move(st)), m(results_mode(b, s->opts.mode, many)), w(make_wire(m, s->opts)),
          api(make_batch_api(m, s->opts, s->exit.secrets())),
          op(*api, *w, api->results(primary(*s), b), result_lines_bound(b),
             s->opts.transport.max_body_bytes, retry_of(*s), prepared(target, s->opts), many, b.id),
          d(*s, op)
    {
        op.prices = &s->opts.prices;
        op.fallback_model = s->opts.default_model;
    }

    static answer_target& prepared(answer_target& t, client_options const& o)
    {
        t.options = o.decoding;
        return t;
    }

    /// The next line judged (its failure through the client's exit).
    asio::awaitable<std::optional<batch_line>> next()
    {
        bool const more = co_await d.advance();
        if (!more)
            co_return std::nullopt;
        auto& line = op.line();
        if (line.failure)  // what the provider said of the line: it may echo a key
            s->exit.apply(*line.failure);
        co_return std::move(line);
    }
};

/// The reader is made at the first next(): a batch that has no results fails there, through
/// the client's exit, not when its stream is made.
struct batch_reader::impl {
    std::shared_ptr<client_state> s;
    batch b;
    bool many;
    answer_target& target;
    std::optional<line_reader> reader = std::nullopt;
};

batch_reader::batch_reader(std::shared_ptr<client_state> state, batch const& b, bool many,
                           answer_target& target)
    : impl_(new impl{std::move(state), b, many, target})
{}

batch_reader::~batch_reader() = default;

asio::awaitable<std::optional<batch_line>> batch_reader::next()
{
    try {
        if (!impl_->reader)
            impl_->reader.emplace(impl_->s, impl_->b, impl_->many, impl_->target);
        auto line = co_await impl_->reader->next();
        co_return line;
    }
    catch (...) {
        rethrow_as_error(*impl_->s, std::current_exception());
    }
}

usage batch_reader::total_usage() const noexcept
{
    return impl_->reader ? impl_->reader->op.total_usage() : usage{};
}

asio::awaitable<std::optional<batch>> run_retry_batch(std::shared_ptr<client_state> s, batch b,
                                                      std::span<request const> reqs,
                                                      std::vector<tool_spec> tools, bool many,
                                                      answer_target& target, batch_options opts)
{
    try {
        auto const& o = s->opts;
        auto bw = writer_for(*s, reqs, many);
        mode const m = bw.m;
        if (b.mode && (many ? parallel_mode_of(*b.mode) : *b.mode) != m)
            throw error(errc::invalid_argument,
                        "batch " + b.id + " was written in mode " +
                            std::string(to_string(*b.mode)) + ", the requests ask in " +
                            std::string(to_string(m)));
        retry_pass pass(*bw.w, *bw.api, reqs, opts, o, tools, b.id);
        b.mode = m;
        line_reader reader(s, b, many, target);
        reader.op.context_of = [&](std::string const& id) { return &pass.request_of(id).context; };
        for (;;) {
            auto line = co_await reader.next();
            if (!line)
                break;
            pass.consider(*line, reader.op.answer());
        }
        if (bw.api->lines() == 0)
            co_return std::nullopt;
        auto second = co_await submit(*s, *bw.api, opts, m);
        co_return second;
    }
    catch (...) {
        rethrow_as_error(*s, std::current_exception());
    }
}

}  // namespace detail

asio::awaitable<batch> client::retrieve_batch(std::string id) const
{
    return detail::run_batch_op(state_, detail::batch_op::retrieve, std::move(id), {});
}

asio::awaitable<batch> client::retrieve_batch(batch const& b) const
{
    return detail::run_batch_op(state_, detail::batch_op::retrieve, b.id, {b.mode, b.submitted});
}

asio::awaitable<batch> client::cancel_batch(std::string id) const
{
    return detail::run_batch_op(state_, detail::batch_op::cancel, std::move(id), {});
}

asio::awaitable<batch> client::wait_batch(std::string id, wait_options opts) const
{
    return detail::run_wait_batch(state_, std::move(id), std::move(opts), {});
}

asio::awaitable<batch> client::wait_batch(std::string id) const
{
    wait_options opts;
    return detail::run_wait_batch(state_, std::move(id), std::move(opts), {});
}

asio::awaitable<batch> client::wait_batch(batch const& b, wait_options opts) const
{
    return detail::run_wait_batch(state_, b.id, std::move(opts), {b.mode, b.submitted});
}

asio::awaitable<batch> client::wait_batch(batch const& b) const
{
    wait_options opts;
    return detail::run_wait_batch(state_, b.id, std::move(opts), {b.mode, b.submitted});
}

asio::awaitable<batch_page> client::list_batches(list_options opts) const
{
    return detail::run_list_batches(state_, std::move(opts));
}

asio::awaitable<batch_page> client::list_batches() const
{
    list_options opts;
    return detail::run_list_batches(state_, std::move(opts));
}

}  // namespace instructor
