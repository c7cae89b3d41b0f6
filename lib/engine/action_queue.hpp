// The actions an operation has decided and not yet handed out, in order. A vector and a read
// position: a stream step queues one action and hands it out at once, so the storage is reused
// and never allocates after the first actions (a deque of these allocates a block every two).
#pragma once

#include "engine/call_arena.hpp"
#include "engine/operation.hpp"

#include <cstddef>
#include <memory_resource>
#include <utility>
#include <vector>

namespace instructor::detail {

class action_queue {
public:
    /// Its storage from `from` (a call's arena), else the heap.
    explicit action_queue(std::pmr::memory_resource* from = nullptr)
        : items_(from ? from : heap_resource())
    {}
    bool empty() const noexcept { return next_ == items_.size(); }
    void push(op_action a) { items_.push_back(std::move(a)); }
    /// The first action; the queue must not be empty.
    op_action pop()
    {
        op_action a = std::move(items_[next_++]);
        if (next_ == items_.size()) {  // drained: start again at the front of the storage
            items_.clear();
            next_ = 0;
        }
        return a;
    }

private:
    std::pmr::vector<op_action> items_;
    std::size_t next_ = 0;
};

}  // namespace instructor::detail
