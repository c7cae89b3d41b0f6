// A validator that asks a model: for a model's validate_async (client.hpp), Python Instructor's
// llm_validator in C++.
//
//     static inline std::optional<ins::llm_validator> polite;  // set once the client exists
//     boost::asio::awaitable<void> validate_async(ins::validation_context& ctx) const
//     {
//         co_await (*polite)(reply, ctx, "reply");
//     }
#pragma once

#include <instructor/client.hpp>
#include <instructor/validation.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>
#include <string_view>

namespace instructor {

class llm_validator {
public:
    /// Asks through `judge` (a copy of a client; the same one as the call's is fine) whether
    /// values satisfy `statement`. `model`: the judge's model, empty for the client's default.
    llm_validator(client judge, std::string statement, std::string model = {});

    /// Asks whether `value` satisfies the statement; when it does not, a failure at `path`
    /// with the model's reason (what the re-ask shows the answering model). The question is a
    /// structured call of its own (`{is_valid, reason}`, one re-ask at most) by the calling
    /// call's deadline and within its cancellation; its usage is added to the calling call's
    /// (ctx.add_usage). When the question itself fails (network, its own validation), that
    /// ins::error ends the calling call: an unanswered check is never taken for a pass.
    boost::asio::awaitable<void> operator()(std::string_view value, validation_context& ctx,
                                            std::string_view path = {}) const;

    std::string const& statement() const noexcept { return statement_; }

private:
    client judge_;
    std::string statement_;
    std::string model_;
};

}  // namespace instructor
