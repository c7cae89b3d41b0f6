// instructor-batch: typed batches from the command line (OpenAI's Batch API, Anthropic's Message
// Batches), for the example response models (tools/example_models.hpp: --type SmallUser,
// NestedCompany or LargeTicket). Run `instructor-batch --help` for the commands.
//
// A program of your own with your own models is the same two lines:
//     #include "batch_command.hpp"
//     int main(int argc, char** argv) { return tools::batch_main<MyModel, Other>(argc, argv); }
#include "batch_command.hpp"
#include "example_models.hpp"

int main(int argc, char** argv)
{
    return tools::batch_main<SmallUser, NestedCompany, LargeTicket>(argc, argv);
}
