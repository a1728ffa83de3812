// A caching CPU allocator for libtorch. Blocks of 1 MiB and more come from mmap and, once freed, are kept and handed
// out again: the smallest cached block of at least the page-rounded size and at most a quarter larger. A training or
// inference loop allocates the same activation, gradient and weight-reorder sizes every step, so it stops paying the
// kernel's page faults, page zeroing and unmapping each time (about a fifth of a 2-core FCN-8s step with glibc malloc,
// which maps and unmaps every block over 32 MiB).
//
// Resident memory stays within the peak of requested live memory plus 32 MiB: a miss that would take live + cached
// blocks above that first unmaps cached blocks, oldest first. The 32 MiB matter for small batches, whose blocks of
// 1 MiB and more are mostly oneDNN's per-call weight reorders of many sizes: with no room above the peak the cache held
// about one of them at a time and missed 40–50% of requests, remapping and refaulting each (DeepLab v3+, 2 x 64x64
// inference: 94% hits with the room, 59% without). Smaller blocks, and all blocks while the cache is disabled, use
// posix_memalign/free as libtorch's own allocator does.
#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <list>
#include <map>
#include <mutex>
#include <new>
#include <unordered_map>

#include "bridge_common.h"

using mlseg::guarded;

namespace {

constexpr size_t kAlignment = 64;  // libtorch's CPU alignment (vectorized kernels rely on it)
constexpr size_t kPageBytes = 4096;
constexpr size_t kMinCachedBytes = size_t{1} << 20;
constexpr size_t kDefaultSlackBytes = size_t{32} << 20;  // what cached blocks may add above the peak of live memory

struct CachedBlock {
  void* data;
  size_t bytes;
};

struct LiveBlock {
  size_t bytes;      // the block's size
  size_t requested;  // the page-rounded size asked for (at most the block's size, at least 4/5 of it)
};

class BlockCache {
 public:
  void* allocate(size_t nbytes) {
    if (nbytes == 0) return nullptr;
    if (nbytes < kMinCachedBytes || !enabled_.load(std::memory_order_relaxed)) return allocate_plain(nbytes);
    size_t bytes = (nbytes + kPageBytes - 1) / kPageBytes * kPageBytes;
    std::lock_guard<std::mutex> lock(mutex_);
    live_requested_bytes_ += bytes;
    budget_bytes_ = std::max(budget_bytes_, live_requested_bytes_);
    size_t block_bytes = bytes;
    void* data = take_cached(block_bytes);
    if (data != nullptr) {
      ++hits_;
    } else {
      ++misses_;
      while (live_bytes_ + cached_bytes_ + bytes > budget_bytes_ + slack_bytes_ && !order_.empty()) evict_oldest();
      data = map_block(bytes);
    }
    live_.emplace(data, LiveBlock{block_bytes, bytes});
    live_bytes_ += block_bytes;
    return data;
  }

  void release(void* data) {
    if (data == nullptr) return;
    std::unique_lock<std::mutex> lock(mutex_);
    auto found = live_.find(data);
    if (found == live_.end()) {
      lock.unlock();
      std::free(data);
      return;
    }
    size_t bytes = found->second.bytes;
    live_requested_bytes_ -= found->second.requested;
    live_.erase(found);
    live_bytes_ -= bytes;
    if (!enabled_.load(std::memory_order_relaxed)) {
      munmap(data, bytes);
      return;
    }
    auto position = order_.insert(order_.end(), CachedBlock{data, bytes});
    by_size_.emplace(bytes, position);
    cached_bytes_ += bytes;
  }

  void set_enabled(bool enabled) {
    std::lock_guard<std::mutex> lock(mutex_);
    enabled_.store(enabled, std::memory_order_relaxed);
    if (!enabled) release_all();
  }

  // A smaller slack takes effect at the next miss.
  void set_slack(size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    slack_bytes_ = bytes;
  }

  size_t slack() {
    std::lock_guard<std::mutex> lock(mutex_);
    return slack_bytes_;
  }

  void release_cached() {
    std::lock_guard<std::mutex> lock(mutex_);
    release_all();
  }

  void stats(int64_t* values) {
    std::lock_guard<std::mutex> lock(mutex_);
    values[0] = enabled_.load(std::memory_order_relaxed) ? 1 : 0;
    values[1] = static_cast<int64_t>(cached_bytes_);
    values[2] = static_cast<int64_t>(live_bytes_);
    values[3] = hits_;
    values[4] = misses_;
  }

 private:
  static void* allocate_plain(size_t nbytes) {
    void* data = nullptr;
    if (posix_memalign(&data, kAlignment, nbytes) != 0) throw std::bad_alloc();
    return data;
  }

  static void* map_block(size_t bytes) {
    void* data = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    TORCH_CHECK(data != MAP_FAILED, "out of CPU memory: could not map ", bytes, " bytes");
    return data;
  }

  // The smallest cached block of at least `bytes` and at most a quarter more; `bytes` becomes its size.
  void* take_cached(size_t& bytes) {
    auto found = by_size_.lower_bound(bytes);
    if (found == by_size_.end() || found->first > bytes + bytes / 4) return nullptr;
    bytes = found->first;
    void* data = found->second->data;
    order_.erase(found->second);
    by_size_.erase(found);
    cached_bytes_ -= bytes;
    return data;
  }

  // Returns every cached block and restarts the budget from the memory live now.
  void release_all() {
    while (!order_.empty()) evict_oldest();
    budget_bytes_ = live_requested_bytes_;
  }

  void evict_oldest() {
    CachedBlock oldest = order_.front();
    auto range = by_size_.equal_range(oldest.bytes);
    for (auto entry = range.first; entry != range.second; ++entry) {
      if (entry->second == order_.begin()) {
        by_size_.erase(entry);
        break;
      }
    }
    order_.pop_front();
    munmap(oldest.data, oldest.bytes);
    cached_bytes_ -= oldest.bytes;
  }

  std::mutex mutex_;
  std::atomic<bool> enabled_{true};  // off: every block is plain posix_memalign/free, as libtorch's own allocator
  std::unordered_map<void*, LiveBlock> live_;
  std::list<CachedBlock> order_;  // cached blocks, oldest first
  std::multimap<size_t, std::list<CachedBlock>::iterator> by_size_;
  size_t cached_bytes_ = 0;
  size_t live_bytes_ = 0;            // blocks held by tensors
  size_t live_requested_bytes_ = 0;  // what those tensors asked for
  size_t budget_bytes_ = 0;          // the peak of live_requested_bytes_: new mappings keep live + cached within it + slack
  size_t slack_bytes_ = kDefaultSlackBytes;
  int64_t hits_ = 0;
  int64_t misses_ = 0;
};

BlockCache& block_cache() {
  static BlockCache* cache = new BlockCache();  // never destroyed: tensors may be freed during static destruction
  return *cache;
}

void release_block(void* data) { block_cache().release(data); }

c10::DataPtr allocate_block(size_t nbytes) {
  void* data = block_cache().allocate(nbytes);
  return {data, data, &release_block, c10::Device(c10::DeviceType::CPU)};
}

// libtorch 1.13 declares `allocate` const; PyTorch 2.3 and later declare it non-const and add a pure virtual
// `copy_data`. Both `allocate` overloads are defined, without `override`, so the one the headers declare virtual is
// the override, whichever libtorch the bridge is built against.
class CachingCpuAllocator final : public c10::Allocator {
 public:
  c10::DataPtr allocate(size_t nbytes) const { return allocate_block(nbytes); }
  c10::DataPtr allocate(size_t nbytes) { return allocate_block(nbytes); }

  c10::DeleterFnPtr raw_deleter() const override { return &release_block; }

  void copy_data(void* destination, const void* source, std::size_t count) const {
    std::memcpy(destination, source, count);
  }
};

CachingCpuAllocator* installed = nullptr;

}  // namespace

MLSEG_API int32_t mlseg_cpu_cache_install(int32_t* installed_now) {
  return guarded([&] {
    static std::once_flag once;
    std::call_once(once, [] {
      installed = new CachingCpuAllocator();
      c10::SetCPUAllocator(installed, /*priority=*/1);
    });
    *installed_now = c10::GetCPUAllocator() == installed ? 1 : 0;
  });
}

MLSEG_API int32_t mlseg_cpu_cache_set_enabled(int32_t enabled) {
  return guarded([&] { block_cache().set_enabled(enabled != 0); });
}

MLSEG_API int32_t mlseg_cpu_cache_release(void) {
  return guarded([&] { block_cache().release_cached(); });
}

MLSEG_API int32_t mlseg_cpu_cache_get_slack(int64_t* bytes) {
  return guarded([&] { *bytes = static_cast<int64_t>(block_cache().slack()); });
}

MLSEG_API int32_t mlseg_cpu_cache_set_slack(int64_t bytes) {
  return guarded([&] {
    TORCH_CHECK(bytes >= 0, "the CPU cache's slack must be >= 0 bytes, got ", bytes);
    block_cache().set_slack(static_cast<size_t>(bytes));
  });
}

MLSEG_API int32_t mlseg_cpu_cache_stats(int64_t* values, int32_t count) {
  return guarded([&] {
    TORCH_CHECK(values != nullptr && count == 5, "cpu cache stats take 5 values, got ", count);
    block_cache().stats(values);
  });
}
