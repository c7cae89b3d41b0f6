// The non-template side of streaming: HTTP, SSE, deltas, re-asks (lib/client/stream_driver.cpp).
#pragma once

#include <instructor/detail/client_core.hpp>

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string_view>
#include <vector>

namespace instructor::detail {

/// The typed consumer of a stream's answer text.
struct stream_target {
    virtual ~stream_target() = default;
    virtual void begin_attempt(int attempt) = 0;
    /// A piece of answer text: the tool call's index and name, or 0 and "" for content.
    virtual void feed(std::size_t call, std::string_view name, std::string_view text) = 0;
    /// Something is ready to hand out.
    virtual bool ready() const = 0;
    /// The answer is complete: final checks; false with issues when it is not valid.
    virtual bool finish(std::vector<validation_issue>& issues) = 0;
    /// Whether a failed attempt may be asked again (nothing handed out would be repeated).
    virtual bool may_reask() const { return true; }
};

class stream_driver {
public:
    stream_driver(std::shared_ptr<client_state> state, request req, std::vector<tool_spec> tools,
                  bool many, stream_target& target);
    ~stream_driver();
    stream_driver(stream_driver const&) = delete;
    stream_driver& operator=(stream_driver const&) = delete;

    /// Runs until the target is ready (true), or the answer is complete and valid (false).
    /// Throws ins::error; after that, and after false, it must not be called again.
    boost::asio::awaitable<bool> advance();

    usage const& total_usage() const noexcept;
    int attempts() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace instructor::detail
