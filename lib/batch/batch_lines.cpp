#include "batch/batch_lines.hpp"

#include "client/prepare.hpp"
#include "protocol/verdict.hpp"

namespace instructor::detail {

mode batch_mode(std::span<request const> reqs, client_options const& o, bool many)
{
    if (reqs.empty())
        throw error(errc::invalid_argument, "a batch needs at least one request");
    mode const m = mode_for(reqs.front(), o, many);
    for (std::size_t i = 1; i < reqs.size(); ++i)
        if (auto mi = mode_for(reqs[i], o, many); mi != m)
            throw error(errc::invalid_argument,
                        "request " + std::to_string(i) + " asks in mode " +
                            std::string(to_string(mi)) + ", request 0 in " +
                            std::string(to_string(m)) + ": a batch speaks one mode");
    return m;
}

std::string custom_id_of(batch_options const& opts, std::size_t i, std::size_t count)
{
    if (opts.custom_ids.empty())
        return std::to_string(i);
    if (opts.custom_ids.size() != count)
        throw error(errc::invalid_argument,
                    "batch_options::custom_ids holds " + std::to_string(opts.custom_ids.size()) +
                        " ids for " + std::to_string(count) + " requests");
    return opts.custom_ids[i];
}

boost::json::object line_body(wire const& w, prepared_request const& p,
                              std::span<tool_spec const> tools)
{
    return w.body(p.req, p.model, p.conv, tools, false);
}

batch_line judge_result(wire const& w, result_line r, answer_target& target, bool many,
                        extraction* x_out)
{
    batch_line line;
    line.custom_id = std::move(r.custom_id);
    if (r.failure) {
        line.failure = std::move(r.failure);
        return line;
    }
    extraction x;
    try {
        x = w.extract(r.response);
    }
    catch (error& e) {  // not this API's response: this line failed, the others may not
        line.failure = std::move(e);
        return line;
    }
    if (auto stop = model_stop(x)) {
        line.failure = std::move(stop);
        return line;
    }
    target.begin_attempt(1);
    line.ok = judge_answers(x.answers, x.problem, target, many, line.issues);
    if (x_out)
        *x_out = std::move(x);
    return line;
}

}  // namespace instructor::detail
