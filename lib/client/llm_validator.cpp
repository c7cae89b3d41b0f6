#include <instructor/llm_validator.hpp>

#include <instructor/error.hpp>

#include <boost/describe/class.hpp>

#include <optional>

namespace instructor {

namespace {

/// The judge's answer.
struct Verdict {
    bool is_valid = false;
    /// Why not, said to the model that answered (empty when valid).
    std::optional<std::string> reason;
};
BOOST_DESCRIBE_STRUCT(Verdict, (), (is_valid, reason))

}  // namespace

llm_validator::llm_validator(client judge, std::string statement, std::string model)
    : judge_(std::move(judge)), statement_(std::move(statement)), model_(std::move(model))
{
    if (statement_.empty())
        throw error(errc::invalid_argument, "llm_validator: the statement is empty");
}

boost::asio::awaitable<void> llm_validator::operator()(std::string_view value,
                                                       validation_context& ctx,
                                                       std::string_view path) const
{
    request req;
    req.model = model_;
    req.max_retries = 1;
    req.temperature = 0.0;
    req.deadline = ctx.deadline();
    req.messages = {
        message::system("You check values against a rule. Answer whether the value satisfies "
                        "the rule; when it does not, give the reason in one or two sentences, "
                        "written to whoever must correct the value."),
        message::user("Rule: " + statement_ + "\n\nValue:\n" + std::string(value)),
    };
    auto r = co_await judge_.create_with_completion<Verdict>(std::move(req));
    ctx.add_usage(r.completion.total_usage);
    if (r.value.is_valid)
        co_return;
    auto const reason = r.value.reason.value_or("");
    ctx.fail(path, reason.empty() ? "does not satisfy: " + statement_
                                  : reason + " (rule: " + statement_ + ")");
}

}  // namespace instructor
