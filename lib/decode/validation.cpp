#include <instructor/validation.hpp>

#include <boost/json/object.hpp>

namespace instructor {

std::string format_issues(std::span<validation_issue const> issues)
{
    std::string out;
    for (auto const& i : issues) {
        if (!out.empty())
            out.push_back('\n');
        if (!i.path.empty())
            out.append(i.path).append(": ");
        out.append(i.message);
    }
    return out;
}

boost::json::object const& validation_context::context() const noexcept
{
    static boost::json::object const none;
    return context_ ? *context_ : none;
}

validation_context validation_context::nested(std::string_view path) const
{
    std::string full = base_;
    if (!path.empty()) {
        if (!full.empty())
            full.push_back('/');
        full.append(path);
    }
    return validation_context(*out_, std::move(full), context_, deadline_, spent_);
}

void validation_context::fail(std::string_view path, std::string_view message)
{
    std::string full = base_;
    if (!path.empty()) {
        if (!full.empty())
            full.push_back('/');
        full.append(path);
    }
    out_->push_back({std::move(full), std::string(message), issue_kind::custom});
    ++failures_;
}

}  // namespace instructor
