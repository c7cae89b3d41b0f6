#include "batch/batch_ops.hpp"

#include "batch/poll_wait.hpp"
#include "protocol/json_access.hpp"


#include <boost/json/parse.hpp>

#include <algorithm>
#include <charconv>

namespace instructor::detail {

namespace json = boost::json;

op_action service_op::resume(op_event ev)
{
    if (st_ == state::over)
        return {op_action::kind::fail};
    next_ = {op_action::kind::fail};
    try {
        step(ev);
    }
    catch (...) {  // an ins::error, or what a caller's callback threw: kept as it is
        failure_ = std::current_exception();
        next_ = {op_action::kind::fail};
    }
    if (next_.k == op_action::kind::fail || next_.k == op_action::kind::done)
        st_ = state::over;
    return next_;
}

void service_op::step(op_event& ev)
{
    switch (st_) {
    case state::idle: start(); return;
    case state::sending:
        if (ev.k == op_event::kind::failure)
            throw std::move(*ev.failure);
        if (ev.k != op_event::kind::response)
            throw error(errc::invalid_argument, "batch operation: unexpected event");
        {
            boost::system::error_code ec;
            auto v = json::parse(ev.data, ec);
            if (ec || !v.is_object())
                throw error(errc::protocol_error, "the batch service's answer is not a JSON object");
            answered(v);
        }
        return;
    case state::sleeping:
        if (ev.k != op_event::kind::woke)
            throw error(errc::invalid_argument, "batch operation: unexpected event");
        woke();
        return;
    case state::over: return;
    }
}

void service_op::send(net::http_request r, net::retry_settings retry)
{
    request_ = std::move(r);
    next_ = {op_action::kind::send};
    next_.request = &request_;
    next_.retry = retry;
    st_ = state::sending;
}

void service_op::sleep_until(std::chrono::steady_clock::time_point t)
{
    next_ = {op_action::kind::sleep};
    next_.until = t;
    st_ = state::sleeping;
}

void service_op::finish() { next_ = {op_action::kind::done}; }

void submit_op::start()
{
    lines_ = api_.lines();
    send(api_.create(ep_, opts_), retry_);
}

void submit_op::answered(json::value const& v)
{
    if (auto next = api_.after(ep_, v, opts_))
        return send(std::move(*next), retry_);
    auto b = api_.parse_batch(v);
    b.mode = m_;
    b.submitted = lines_;
    if (b.endpoint.empty())
        b.endpoint = batch_endpoint(m_);
    result_ = show_(std::move(b));
    finish();
}

void wait_op::start()
{
    delay_ = first_poll_delay(wo_.first_poll, wo_.max_poll);
    poll();
}

void wait_op::poll()
{
    auto retry = retry_;
    retry.deadline = wo_.deadline;
    ++polls_;
    send(api_.retrieve(ep_, id_), retry);
}

void wait_op::answered(json::value const& v)
{
    auto b = read_(v);
    if (wo_.on_progress) {
        try {
            wo_.on_progress(b);
        }
        catch (...) {
            callback_threw_ = true;
            throw;
        }
    }
    if (b.terminal()) {
        result_ = std::move(b);
        return finish();
    }
    auto const now = clock_();
    if (wo_.deadline && now >= *wo_.deadline)
        throw error(errc::timeout, "batch " + b.id + " is still " + b.status +
                                       " at the deadline (it keeps running)");
    sleep_until(poll_wake(now, delay_, wo_.deadline));
    delay_ = next_poll_delay(delay_, wo_.max_poll);
}

std::size_t result_lines_bound(batch const& b) noexcept
{
    // A server's counts are not trusted: they only narrow what a bigger batch could hold.
    auto const most = largest_batch();
    if (b.submitted > 0)
        return std::min(b.submitted, most);
    return b.total > 0 ? std::min(b.total, most) : most;
}

mode results_mode(batch const& b, mode client_mode, bool many)
{
    mode m = b.mode.value_or(client_mode);
    if (many)
        m = parallel_mode_of(m);
    if (!b.endpoint.empty() && b.endpoint != batch_endpoint(m))
        throw error(errc::invalid_argument,
                    "batch " + b.id + " went to " + b.endpoint + ": read its results with a " +
                        "client (or batch::mode) of that API, not " + std::string(to_string(m)));
    if (!b.terminal())
        throw error(errc::invalid_argument,
                    "batch " + b.id + " is " + (b.status.empty() ? "of no status" : b.status) +
                        ": its results come once it ends (wait_batch)");
    if (b.status == "failed")
        throw error(errc::bad_request,
                    "batch " + b.id + " failed at the provider: it has no results (" + b.failure +
                        ")");
    return m;
}

results_op::results_op(batch_api const& api, wire const& w, std::vector<net::http_request> files,
                       std::size_t most, std::size_t max_line, net::retry_settings retry,
                       answer_target& target, bool many, std::string batch_id)
    : api_(api), w_(w), files_(std::move(files)), most_(most), max_line_(max_line), retry_(retry),
      target_(target), many_(many), id_(std::move(batch_id)), lines_(max_line)
{}

op_action results_op::resume(op_event ev)
{
    if (over_)
        return {op_action::kind::fail};
    try {
        auto a = step(ev);
        over_ = a.k == op_action::kind::done;
        return a;
    }
    catch (...) {
        failure_ = std::current_exception();
        over_ = true;
        return {op_action::kind::fail};
    }
}

namespace {

/// The price of the model a batch line's response names: exact, else a priced name it is a
/// dated snapshot of ("gpt-4o-mini" for "gpt-4o-mini-2024-07-18", "claude-3-5-haiku" for
/// "claude-3-5-haiku-20241022"), else the price of `fallback` (the client's default model,
/// which a "-latest" alias stands for).
price const* price_of_line(std::map<std::string, price> const& prices,
                           boost::json::value const& response, std::string const& fallback)
{
    auto const* o = response.if_object();
    auto const model = o ? json_access::string_at(*o, "model") : std::string();
    if (auto it = prices.find(model); !model.empty() && it != prices.end())
        return &it->second;
    for (auto const& [name, p] : prices) {
        // The rest after the name is a date: "-" and digits and dashes only.
        if (name.empty() || model.size() < name.size() + 2 || !model.starts_with(name) ||
            model[name.size()] != '-')
            continue;
        auto const rest = std::string_view(model).substr(name.size() + 1);
        if (rest.find_first_not_of("0123456789-") == std::string_view::npos)
            return &p;
    }
    if (auto it = prices.find(fallback); !fallback.empty() && it != prices.end())
        return &it->second;
    return nullptr;
}

}  // namespace

op_action results_op::step(op_event& ev)
{
    switch (ev.k) {
    case op_event::kind::next: break;  // the start, or the last line was taken
    case op_event::kind::opened: streaming_ = true; break;
    case op_event::kind::bytes: lines_.feed(ev.data); break;
    case op_event::kind::eof:
        lines_.finish();  // a last line without its line end
        streaming_ = false;
        break;
    case op_event::kind::failure: throw std::move(*ev.failure);
    default: throw error(errc::invalid_argument, "batch results: unexpected event");
    }
    if (auto text = lines_.next()) {
        if (++read_ > most_)  // a server that keeps sending lines
            throw error(errc::protocol_error, "batch " + id_ + " has more result lines than its " +
                                                  std::to_string(most_) + " requests");
        auto r = api_.parse_result(*text);
        if (!r.failure) {
            auto u = w_.usage_of(r.response);
            if (!u.cost_usd && prices)
                if (auto const* p = price_of_line(*prices, r.response, fallback_model))
                    u.cost_usd = cost_usd_of(u, *p) * p->batch_share;
            total_ += u;
        }
        target_.options.context = context_of ? context_of(r.custom_id) : nullptr;
        x_ = {};
        line_ = judge_result(w_, std::move(r), target_, many_, &x_);
        return {op_action::kind::yield};
    }
    if (streaming_)
        return {op_action::kind::read};
    if (next_file_ == files_.size())
        return {op_action::kind::done};
    lines_ = jsonl_lines(max_line_);  // a file of its own
    request_ = std::move(files_[next_file_++]);
    op_action a{op_action::kind::send};
    a.request = &request_;
    a.retry = retry_;
    a.stream = true;
    return a;
}

retry_pass::retry_pass(wire const& w, batch_api& api, std::span<request const> reqs,
                       batch_options const& opts, client_options const& client,
                       std::span<tool_spec const> tools, std::string batch_id)
    : w_(w), api_(api), reqs_(reqs), opts_(opts), client_(client), tools_(tools),
      id_(std::move(batch_id))
{
    (void)custom_id_of(opts, 0, reqs.size());  // custom_ids: none, or one per request
    for (std::size_t i = 0; i < opts.custom_ids.size(); ++i)
        index_.emplace(opts.custom_ids[i], i);
}

request const& retry_pass::request_of(std::string const& id) const
{
    std::size_t i = reqs_.size();
    if (opts_.custom_ids.empty()) {
        auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), i);
        if (ec != std::errc() || p != id.data() + id.size())
            i = reqs_.size();
    }
    else if (auto it = index_.find(id); it != index_.end()) {
        i = it->second;
    }
    if (i >= reqs_.size())
        throw error(errc::invalid_argument, "batch " + id_ + " has a result for custom_id \"" +
                                                id + "\", which names none of the requests given");
    return reqs_[i];
}

void retry_pass::consider(batch_line const& line, extraction const& answer)
{
    if (line.ok || line.failure || line.issues.empty())
        return;  // valid, or failed at the provider: nothing to re-ask
    auto const& req = request_of(line.custom_id);
    if (req.max_retries < 1 || !added_.insert(line.custom_id).second)
        return;  // the request asks for no re-ask, or it is already in
    auto p = prepare(w_, req, client_, tools_);
    reask_in(w_, p.conv, p.req, tools_, answer, format_issues(line.issues));
    api_.add(line.custom_id, line_body(w_, p, tools_));
}

}  // namespace instructor::detail
