// A command run as users run it, through the shell: its exit status and what it printed.
#pragma once

#include <cstdio>
#include <string>

#include <sys/wait.h>

namespace test {

struct command_output {
    int status = -1;  ///< the exit status; -1 when it did not exit normally (or did not start)
    std::string out;  ///< its stdout (and whatever the command line redirects there)
};

/// Runs `line` with popen(3) and reads its stdout to the end.
inline command_output run_command(std::string const& line)
{
    command_output o;
    FILE* f = popen(line.c_str(), "r");
    if (!f)
        return o;
    char buf[4096];
    while (auto n = fread(buf, 1, sizeof buf, f))
        o.out.append(buf, n);
    int const st = pclose(f);
    o.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return o;
}

}  // namespace test
