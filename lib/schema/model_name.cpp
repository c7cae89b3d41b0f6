#include <instructor/model_name.hpp>

namespace instructor::detail {

std::string wire_name(std::string_view qualified)
{
    // Strip namespaces, but only outside template arguments: `ns::Box<ns::Item>` -> `Box<ns::Item>`.
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < qualified.size(); ++i) {
        char c = qualified[i];
        if (c == '<')
            ++depth;
        else if (c == '>')
            --depth;
        else if (depth == 0 && c == ':' && i + 1 < qualified.size() && qualified[i + 1] == ':')
            start = i + 2;
    }
    std::string out;
    for (char c : qualified.substr(start)) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        if (ok)
            out.push_back(c);
        else if (!out.empty() && out.back() != '_' && c != ' ')
            out.push_back('_');
    }
    while (!out.empty() && out.back() == '_')
        out.pop_back();
    return out.empty() ? std::string("Model") : out;
}

}  // namespace instructor::detail
