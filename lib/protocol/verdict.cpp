#include "verdict.hpp"

namespace instructor::detail {

tool_spec const& primary_tool(std::span<tool_spec const> tools)
{
    if (tools.empty())
        throw error(errc::invalid_argument, "no response model");
    return tools.front();
}

bool judge_answers(std::vector<answer> const& answers, std::optional<std::string> const& problem,
                   answer_target& target, bool many, std::vector<validation_issue>& issues)
{
    if (problem) {
        issues.push_back({{}, *problem, issue_kind::syntax});
        return false;
    }
    for (std::size_t i = 0; i < answers.size() && (i == 0 || many); ++i)
        target.feed(i, answers[i].name, text_to_decode(answers[i], target.options.repair));
    return target.finish(issues);
}

}  // namespace instructor::detail
