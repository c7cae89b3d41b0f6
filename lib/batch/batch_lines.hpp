// A batch's lines without I/O: each request's body as create<T> would send it, and each
// result's answer judged as a call judges a reply.
#pragma once

#include "protocol/batch_api.hpp"
#include "client/prepare.hpp"
#include "protocol/wire.hpp"

#include <instructor/detail/answer_target.hpp>
#include <instructor/detail/batch_line.hpp>

#include <span>
#include <string>

namespace instructor::detail {

/// The mode every request of a batch speaks (the request's own or the client's; parallel
/// tools for `many`). Throws invalid_argument when requests differ: a batch goes to one
/// endpoint and its results are read in one mode.
mode batch_mode(std::span<request const> reqs, client_options const& o, bool many);

/// Request i's custom_id: opts.custom_ids[i], or "i". Throws invalid_argument when
/// custom_ids is neither empty nor one per request.
std::string custom_id_of(batch_options const& opts, std::size_t i, std::size_t count);

/// The body of the line: what create<T> would send as its first attempt.
boost::json::object line_body(wire const& w, prepared_request const& p,
                              std::span<tool_spec const> tools);

/// One result judged: the provider's failure, the model's own stop (cut, refused, filtered)
/// as an error, or the answer fed to `target` and validated. `x` receives the extraction
/// (what a re-ask echoes) when there was an answer.
batch_line judge_result(wire const& w, result_line r, answer_target& target, bool many,
                        extraction* x = nullptr);

}  // namespace instructor::detail
