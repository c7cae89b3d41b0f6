// json_schema<T>() is built once: a second call allocates nothing. Its own program, because it
// replaces the global operator new to count allocations.
#include "models.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<bool> counting{false};
std::atomic<std::size_t> allocations{0};
}  // namespace

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t n)
{
    if (counting)
        ++allocations;
    if (void* p = std::malloc(n ? n : 1))
        return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

TEST(SchemaCache, BuiltOnceThenNoAllocation)
{
    using models::Person;
    auto const* first = &ins::json_schema<Person>();
    auto const* strict = &ins::strict_json_schema<Person>();
    (void)ins::model_name<Person>();
    allocations = 0;
    counting = true;
    auto const* again = &ins::json_schema<Person>();
    auto const* strict_again = &ins::strict_json_schema<Person>();
    auto const& name = ins::model_name<Person>();
    counting = false;
    EXPECT_EQ(first, again);
    EXPECT_EQ(strict, strict_again);
    EXPECT_EQ(name, "Person");
    EXPECT_EQ(allocations, 0u);
}
