// SlotPool<T>: objects of one type in numbered slots of chunks the pool owns, so making and
// freeing one costs no malloc, and Get(index) answers, from the pool's own memory only, whether
// a number names a live object (JS holds tensors' slot numbers; see bindings/tensor.h).
//
// Chunks hold kChunk slots each and are kept until the pool goes: its footprint is its peak
// object count times a slot. One thread uses a pool.
#pragma once
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
      for (size_t i = 0; i < kChunk; ++i) {
        if (chunk[i].live) reinterpret_cast<T*>(chunk[i].storage)->~T();
      }
    }
  }

  // A new object; its slot number goes to *index.
  template <typename... Args>
  T* New(int32_t* index, Args&&... args) {
    if (free_ == nullptr) Grow();
    Slot* slot = free_;
    T* object = new (slot->storage) T(std::forward<Args>(args)...);
    free_ = slot->next_free;
    slot->live = true;
    *index = slot->index;
    return object;
  }

  void Delete(T* object) {
    Slot* slot = reinterpret_cast<Slot*>(object);
    object->~T();
    slot->live = false;
    slot->next_free = free_;
    free_ = slot;
  }

  // The live object in slot `index`, or nullptr.
  T* Get(int64_t index) const {
    if (index < 0 || static_cast<size_t>(index) >= chunks_.size() * kChunk) return nullptr;
    Slot& slot = chunks_[static_cast<size_t>(index) / kChunk][static_cast<size_t>(index) % kChunk];
    return slot.live ? reinterpret_cast<T*>(slot.storage) : nullptr;
  }

 private:
  struct Slot {
    alignas(T) unsigned char storage[sizeof(T)];  // first, so a T* is its Slot*
    Slot* next_free = nullptr;
    int32_t index = 0;
    bool live = false;
  };
  static constexpr size_t kChunk = 4096;

  void Grow() {
    auto index = static_cast<int32_t>(chunks_.size() * kChunk);
    chunks_.emplace_back(new Slot[kChunk]);
    Slot* chunk = chunks_.back().get();
    for (size_t i = kChunk; i-- > 0;) {
      chunk[i].index = index + static_cast<int32_t>(i);
      chunk[i].next_free = free_;
      free_ = &chunk[i];
    }
  }

  std::vector<std::unique_ptr<Slot[]>> chunks_;
  Slot* free_ = nullptr;
};

}  // namespace nodetorch
