#include "batch/batch_ops.hpp"

#include "batch/poll_wait.hpp"

#include <boost/json/parse.hpp>

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

}  // namespace instructor::detail
