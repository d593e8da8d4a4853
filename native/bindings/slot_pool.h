// SlotPool<T>: objects of one type in slots of chunks the pool owns, so making and freeing one
// costs no malloc, and Owns(p) tells whether p is a live object of this pool by looking at the
// pool's own memory only (never at what p points to elsewhere).
//
// Chunks double in size up to kMaxSlots and are kept until the pool goes: the pool's footprint
// is its peak object count times a slot (48 bytes for a TensorBase). One thread uses a pool.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace nodetorch {

template <typename T>
class SlotPool {
 public:
  SlotPool() = default;
  SlotPool(const SlotPool&) = delete;
  SlotPool& operator=(const SlotPool&) = delete;
  ~SlotPool() {
    for (auto& chunk : chunks_) {
      for (size_t i = 0; i < chunk.count; ++i) {
        if (chunk.slots[i].live) reinterpret_cast<T*>(chunk.slots[i].storage)->~T();
      }
    }
  }

  template <typename... Args>
  T* New(Args&&... args) {
    if (free_ == nullptr) Grow();
    Slot* slot = free_;
    T* object = new (slot->storage) T(std::forward<Args>(args)...);
    free_ = slot->next_free;
    slot->live = true;
    return object;
  }

  void Delete(T* object) {
    Slot* slot = reinterpret_cast<Slot*>(object);
    object->~T();
    slot->live = false;
    slot->next_free = free_;
    free_ = slot;
  }

  bool Owns(const void* p) const {
    auto address = reinterpret_cast<uintptr_t>(p);
    // The last chunk starting at or below p.
    auto it = std::upper_bound(chunks_.begin(), chunks_.end(), address,
                               [](uintptr_t a, const Chunk& c) { return a < c.begin(); });
    if (it == chunks_.begin()) return false;
    const Chunk& chunk = *(it - 1);
    uintptr_t offset = address - chunk.begin();
    if (offset >= chunk.count * sizeof(Slot) || offset % sizeof(Slot) != 0) return false;
    return chunk.slots[offset / sizeof(Slot)].live;
  }

 private:
  struct Slot {
    alignas(T) unsigned char storage[sizeof(T)];  // first, so a T* is its Slot*
    Slot* next_free = nullptr;
    bool live = false;
  };
  struct Chunk {
    std::unique_ptr<Slot[]> slots;
    size_t count;
    uintptr_t begin() const { return reinterpret_cast<uintptr_t>(slots.get()); }
  };
  static constexpr size_t kFirstSlots = 256;
  static constexpr size_t kMaxSlots = 65536;

  void Grow() {
    size_t count = next_count_;
    next_count_ = std::min(kMaxSlots, count * 2);
    Chunk chunk{std::unique_ptr<Slot[]>(new Slot[count]), count};
    for (size_t i = count; i-- > 0;) {
      chunk.slots[i].next_free = free_;
      free_ = &chunk.slots[i];
    }
    auto at = std::upper_bound(chunks_.begin(), chunks_.end(), chunk.begin(),
                               [](uintptr_t a, const Chunk& c) { return a < c.begin(); });
    chunks_.insert(at, std::move(chunk));
  }

  std::vector<Chunk> chunks_;  // sorted by address
  Slot* free_ = nullptr;
  size_t next_count_ = kFirstSlots;
};

}  // namespace nodetorch
