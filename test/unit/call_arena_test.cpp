// A call's arena (its block, the heap past it, the thread's shelf), the boxes kept in it, and a
// client's wires shared by its calls. Under AddressSanitizer every block is the heap's and what
// the block holds unused is poisoned: the ASan leg reports a block or an allocation used after
// it was given back, freed the wrong way, twice, or never.
#include "engine/action_queue.hpp"
#include "engine/boxed.hpp"
#include "engine/call_arena.hpp"
#include "protocol/wire.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory_resource>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace call_arena_test {

namespace det = instructor::detail;

namespace {

bool aligned(void* p, std::size_t align)
{
    return reinterpret_cast<std::uintptr_t>(p) % align == 0;
}

}  // namespace

TEST(CallArena, AllocationsComeFromOneBlockAlignedAsAskedAndApart)
{
    det::call_arena arena;
    EXPECT_EQ(arena.used(), 0u);
    std::vector<std::pair<char*, std::size_t>> got;
    std::size_t asked = 0;
    for (std::size_t align : {1, 2, 4, 8, 16, 1, 8, 16, 2}) {
        std::size_t const bytes = 3 * align + 1;
        auto* p = static_cast<char*>(arena.allocate(bytes, align));
        EXPECT_TRUE(aligned(p, align)) << align;
        std::memset(p, static_cast<int>(got.size()), bytes);
        got.emplace_back(p, bytes);
        asked += bytes;
    }
    // One block: every allocation within block_bytes of the first, and none overlapping.
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_LT(static_cast<std::size_t>(got[i].first - got[0].first),
                  det::call_arena::block_bytes);
        for (std::size_t j = 0; j < got[i].second; ++j)
            ASSERT_EQ(got[i].first[j], static_cast<char>(i)) << i;
    }
    EXPECT_GE(arena.used(), asked);
    EXPECT_LE(arena.used(), det::call_arena::block_bytes);
}

TEST(CallArena, WhatDoesNotFitComesFromTheHeapAndGoesBackWhenFreed)
{
    det::call_arena arena;
    void* small = arena.allocate(64, 8);
    std::size_t const used = arena.used();
    // Larger than a block, past the block's rest, and aligned past what the block is: the heap.
    void* big = arena.allocate(det::call_arena::block_bytes + 1, 8);
    void* rest = arena.allocate(det::call_arena::block_bytes - 32, 8);
    void* wide = arena.allocate(128, 64);
    EXPECT_TRUE(aligned(wide, 64));
    EXPECT_EQ(arena.used(), used);  // none of them took the block's room
    std::memset(big, 1, det::call_arena::block_bytes + 1);
    std::memset(rest, 2, det::call_arena::block_bytes - 32);
    arena.deallocate(big, det::call_arena::block_bytes + 1, 8);  // ASan: freed as it came
    arena.deallocate(rest, det::call_arena::block_bytes - 32, 8);
    arena.deallocate(wide, 128, 64);
    EXPECT_EQ(arena.used(), used);
    arena.deallocate(small, 64, 8);
}

TEST(CallArena, TheLastAllocationFreedIsUsedAgainAnEarlierOneWaitsForTheEnd)
{
    det::call_arena arena;
    void* a = arena.allocate(96, 8);
    std::size_t const after_a = arena.used();
    void* b = arena.allocate(200, 8);
    arena.deallocate(b, 200, 8);
    EXPECT_EQ(arena.used(), after_a);
    void* c = arena.allocate(200, 8);
    EXPECT_EQ(c, b);
    arena.deallocate(a, 96, 8);  // not the last: its room stays taken
    EXPECT_EQ(arena.used(), after_a + 200);
    arena.deallocate(c, 200, 8);
}

TEST(CallArena, ABlockGoesBackToItsThreadForTheNextCall)
{
    void* first = nullptr;
    {
        det::call_arena arena;
        first = arena.allocate(16, 8);
    }
    if (det::call_arena::keeps_blocks()) {
        det::call_arena arena;  // the same block again: nothing left taken in it
        EXPECT_EQ(arena.allocate(16, 8), first);
        EXPECT_EQ(arena.used(), 16u);
    }
    // Calls at once each have a block of their own; another thread has its own shelf.
    std::set<void*> blocks;
    {
        std::vector<std::unique_ptr<det::call_arena>> many;
        for (int i = 0; i < 40; ++i) {
            many.push_back(std::make_unique<det::call_arena>());
            blocks.insert(many.back()->allocate(8, 8));
        }
    }
    EXPECT_EQ(blocks.size(), 40u);
    // Another thread takes none of this one's blocks: a block this thread keeps (it is not
    // freed, so the heap cannot hand out its address) is not the other's first.
    void* kept = nullptr;
    {
        det::call_arena arena;
        kept = arena.allocate(8, 8);
    }
    void* other = nullptr;
    std::thread([&] {
        det::call_arena arena;
        other = arena.allocate(8, 8);
    }).join();
    det::call_arena again;  // and this thread still has it
    if (det::call_arena::keeps_blocks()) {
        EXPECT_NE(other, kept);
        EXPECT_EQ(again.allocate(8, 8), kept);
    }
}

TEST(CallArena, AVectorGrowsInItAndPastIt)
{
    det::call_arena arena;
    std::pmr::vector<std::string> v(&arena);
    for (int i = 0; i < 200; ++i)  // 200 strings: past the block, to the heap
        v.push_back("value number " + std::to_string(i) + " long enough to leave the SSO");
    for (int i = 0; i < 200; ++i)
        ASSERT_EQ(v[static_cast<std::size_t>(i)],
                  "value number " + std::to_string(i) + " long enough to leave the SSO");
}

TEST(CallArena, BoxesAndActionsKeptInItBehaveAsOnTheHeap)
{
    det::call_arena arena;
    {
        det::boxed<std::string> box(&arena);
        EXPECT_FALSE(box);
        box = std::string(100, 'a');
        EXPECT_GT(arena.used(), 0u);
        std::string const* const at = &*box;
        box = std::string(50, 'b');  // replaced in place: hooks may hold its address
        EXPECT_EQ(&*box, at);
        EXPECT_EQ(*box, std::string(50, 'b'));
        box.emplace(10, 'c');
        EXPECT_EQ(*box, "cccccccccc");
        det::boxed<std::string> copy(box);  // a copy lives on the heap
        EXPECT_EQ(*copy, *box);
        det::boxed<std::string> moved(std::move(box));  // a move takes the arena along
        EXPECT_FALSE(box);
        EXPECT_EQ(*moved, "cccccccccc");
        det::boxed<std::string> heap;
        heap = std::move(moved);  // and frees into it when it ends
        EXPECT_EQ(*heap, "cccccccccc");
        heap.reset();
        EXPECT_FALSE(heap);
    }
    det::action_queue q(&arena);
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 5; ++i) {
            det::op_action a;
            a.tokens = static_cast<std::uint64_t>(round * 10 + i);
            q.push(std::move(a));
        }
        for (int i = 0; i < 5; ++i)
            EXPECT_EQ(q.pop().tokens, static_cast<std::uint64_t>(round * 10 + i));
        EXPECT_TRUE(q.empty());
    }
}

namespace {

struct throws_when_made {
    explicit throws_when_made(bool t)
    {
        if (t)
            throw std::runtime_error("made");
    }
    char bytes[40]{};
};

}  // namespace

TEST(CallArena, AnObjectThatFailsToBeMadeGivesItsRoomBack)
{
    det::call_arena arena;
    auto kept = det::make_in<throws_when_made>(&arena, false);
    std::size_t const used = arena.used();
    EXPECT_THROW((void)det::make_in<throws_when_made>(&arena, true), std::runtime_error);
    EXPECT_EQ(arena.used(), used);
    EXPECT_THROW((void)det::make_in<throws_when_made>(nullptr, true), std::runtime_error);
    auto on_heap = det::make_in<throws_when_made>(nullptr, false);
    EXPECT_NE(on_heap.get(), nullptr);
}

TEST(WireSet, AClientsCallsShareOneWirePerModeMadeOnce)
{
    instructor::client_options o;
    o.base_url = "http://127.0.0.1:1/v1";
    det::wire_set wires(o);
    auto const& tools = wires.of(instructor::mode::tools);
    EXPECT_EQ(&wires.of(instructor::mode::tools), &tools);
    EXPECT_NE(&wires.of(instructor::mode::anthropic_tools), &tools);
    EXPECT_NE(&wires.of(instructor::mode::genai_tools), &tools);
    EXPECT_EQ(&wires.of(instructor::mode::anthropic_tools),
              &wires.of(instructor::mode::anthropic_tools));
    // A slot for every mode, and none for a value past them (a mode added must grow the set).
    EXPECT_NE(instructor::to_string(static_cast<instructor::mode>(det::wire_set::modes - 1)),
              "unknown");
    EXPECT_EQ(instructor::to_string(static_cast<instructor::mode>(det::wire_set::modes)),
              "unknown");
    for (int bad : {static_cast<int>(det::wire_set::modes), 1000, -1}) {
        auto const m = static_cast<instructor::mode>(bad);
        for (bool shared : {true, false}) {  // the set's, or one made as a call without it
            try {
                if (shared)
                    (void)wires.of(m);
                else
                    (void)det::make_wire(m, o);
                ADD_FAILURE() << "value " << bad << " names no mode and was given a wire";
            }
            catch (instructor::error const& e) {
                EXPECT_EQ(e.code(), instructor::errc::invalid_argument);
            }
        }
    }
    // Threads asking at once for a mode not made yet: one wire for all (TSan: no race).
    det::wire_set fresh(o);
    std::vector<det::wire const*> seen(4);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < seen.size(); ++i)
        threads.emplace_back([&, i] { seen[i] = &fresh.of(instructor::mode::bedrock_tools); });
    for (auto& t : threads)
        t.join();
    for (auto const* w : seen)
        EXPECT_EQ(w, seen.front());
}

}  // namespace call_arena_test
