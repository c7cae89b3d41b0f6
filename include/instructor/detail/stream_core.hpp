// The untyped side of streaming (lib/client/stream_driver.cpp): a short loop over the call core.
#pragma once

#include <instructor/detail/client_core.hpp>
#include <instructor/usage.hpp>

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <vector>

namespace instructor::detail {

class stream_driver {
public:
    /// `check`: the target's validators that wait, when it has any (outlives the driver).
    stream_driver(std::shared_ptr<client_state> state, request req, answer_target& target,
                  async_check* check = nullptr);
    ~stream_driver();
    stream_driver(stream_driver const&) = delete;
    stream_driver& operator=(stream_driver const&) = delete;

    /// Runs until the target is ready (true), or the answer is complete and valid (false).
    /// Throws ins::error; after that, and after false, it must not be called again.
    boost::asio::awaitable<bool> advance();

    usage total_usage() const noexcept;
    int attempts() const noexcept;
    completion const* accepted() const noexcept;  ///< null until the answer is accepted

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace instructor::detail
