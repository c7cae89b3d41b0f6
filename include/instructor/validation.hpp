// Validation issues (what the model reads on a re-ask) and the context of a model's validate()
// and validate_async().
#pragma once

#include <instructor/usage.hpp>

#include <boost/json/fwd.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace instructor {

/// Why an issue was raised; the message says the rest.
enum class issue_kind {
    syntax,      ///< the text is not JSON (message carries the byte offset)
    type,        ///< wrong JSON type or unparsable value
    missing,     ///< required field absent
    extra,       ///< unknown key while extras are forbidden
    constraint,  ///< a declared constraint (minimum, pattern, ...) failed
    custom,      ///< raised by a model's validate()
};

/// One problem with the model's output. `path` uses `/` between segments (`addresses/0/city`);
/// it is empty for the document itself.
struct validation_issue {
    std::string path;
    std::string message;
    issue_kind kind = issue_kind::type;

    friend bool operator==(validation_issue const&, validation_issue const&) = default;
};

/// One issue per line, `path: message` (the message alone at the root): the text shown to the
/// model on a re-ask, in the style Pydantic uses.
std::string format_issues(std::span<validation_issue const> issues);

/// Handed to `void validate(validation_context&) const` on a model after its fields decoded,
/// and to `boost::asio::awaitable<void> validate_async(validation_context&) const` after that
/// (calls only: see client.hpp). Paths given to fail() are relative to the model being
/// validated.
class validation_context {
public:
    validation_context(std::vector<validation_issue>& out, std::string base_path,
                       boost::json::object const* context = nullptr) noexcept
        : out_(&out), base_(std::move(base_path)), context_(context)
    {}
    /// A validate_async's: the call's deadline, and where the usage of the model calls it
    /// makes is summed (into the call's).
    validation_context(std::vector<validation_issue>& out, std::string base_path,
                       boost::json::object const* context,
                       std::optional<std::chrono::steady_clock::time_point> deadline,
                       usage* spent) noexcept
        : out_(&out), base_(std::move(base_path)), context_(context), deadline_(deadline),
          spent_(spent)
    {}

    /// The same call's context for the member or item at `path` (relative): its failures
    /// land under that path.
    validation_context nested(std::string_view path) const;

    /// The call's `request::deadline` (validate_async: a model call made inside should end by
    /// then, as llm_validator's does).
    std::optional<std::chrono::steady_clock::time_point> deadline() const noexcept
    {
        return deadline_;
    }
    /// Adds the usage of a model call a validator made to the call's total (validate_async;
    /// ignored in validate, which cannot wait for one).
    void add_usage(usage const& u) noexcept
    {
        if (spent_)
            *spent_ += u;
    }

    /// The call's `request::context` (an empty object when it has none): what grounding checks
    /// compare against, e.g. "the quoted text occurs in the source".
    boost::json::object const& context() const noexcept;

    /// Reports a problem with the field at `path` (relative, e.g. `addresses/0/city`).
    void fail(std::string_view path, std::string_view message);
    /// Reports a problem with the model as a whole.
    void fail(std::string_view message) { fail({}, message); }

    bool failed() const noexcept { return failures_ != 0; }
    std::size_t failures() const noexcept { return failures_; }

private:
    std::vector<validation_issue>* out_;
    std::string base_;
    boost::json::object const* context_;
    std::optional<std::chrono::steady_clock::time_point> deadline_;
    usage* spent_ = nullptr;
    std::size_t failures_ = 0;
};

}  // namespace instructor
