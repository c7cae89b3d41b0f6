#include "batch/batch_lines.hpp"

#include "client/templates.hpp"

namespace instructor::detail {

mode batch_mode(std::span<request const> reqs, client_options const& o, bool many)
{
    if (reqs.empty())
        throw error(errc::invalid_argument, "a batch needs at least one request");
    auto const mode_of = [&](request const& r) {
        mode m = r.mode.value_or(o.mode);
        return many ? parallel_mode_of(m) : m;
    };
    mode const m = mode_of(reqs.front());
    if (is_parallel_mode(m) != many)
        throw error(errc::invalid_argument,
                    "the parallel tools modes answer a std::vector<std::variant<...>>, and only "
                    "they do");
    for (std::size_t i = 1; i < reqs.size(); ++i)
        if (mode_of(reqs[i]) != m)
            throw error(errc::invalid_argument,
                        "request " + std::to_string(i) + " asks in mode " +
                            std::string(to_string(mode_of(reqs[i]))) + ", request 0 in " +
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

prepared_request prepare(wire const& w, request req, client_options const& o,
                         std::span<tool_spec const> tools)
{
    prepared_request p;
    p.model = req.model.empty() ? o.default_model : req.model;
    if (p.model.empty())
        throw error(errc::invalid_argument, "no model: set request::model or default_model");
    if (tools.empty())
        throw error(errc::invalid_argument, "no response model");
    render_templates(req);
    p.conv = w.initial(req, tools.front());
    p.req = std::move(req);
    return p;
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
    if (x.problem) {
        line.issues.push_back({{}, *x.problem, issue_kind::syntax});
    }
    else {
        for (std::size_t i = 0; i < x.answers.size() && (i == 0 || many); ++i)
            target.feed(i, x.answers[i].name, text_to_decode(x.answers[i], target.options.repair));
        line.ok = target.finish(line.issues);
    }
    if (x_out)
        *x_out = std::move(x);
    return line;
}

}  // namespace instructor::detail
