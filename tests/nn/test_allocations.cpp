// Counts heap allocations with a replaced global operator new, to check that
// the cpu engine allocates nothing per call once warmed up.

#include <atomic>
#include <cstdlib>
#include <new>

#include <gtest/gtest.h>

#include "test_helpers.hpp"
#include "trackpurity/nn/cpu_engine.hpp"

namespace {
std::atomic<long> allocation_count{0};
}  // namespace

void* operator new(std::size_t size) {
  allocation_count.fetch_add(1, std::memory_order_relaxed);
  if (void* pointer = std::malloc(size == 0 ? 1 : size)) return pointer;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, std::align_val_t alignment) {
  allocation_count.fetch_add(1, std::memory_order_relaxed);
  const std::size_t align = static_cast<std::size_t>(alignment);
  if (void* pointer = std::aligned_alloc(align, (size + align - 1) / align * align)) return pointer;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return operator new(size, alignment);
}
void operator delete(void* pointer) noexcept { std::free(pointer); }
void operator delete(void* pointer, std::size_t) noexcept { std::free(pointer); }
void operator delete[](void* pointer) noexcept { std::free(pointer); }
void operator delete[](void* pointer, std::size_t) noexcept { std::free(pointer); }
void operator delete(void* pointer, std::align_val_t) noexcept { std::free(pointer); }
void operator delete(void* pointer, std::size_t, std::align_val_t) noexcept { std::free(pointer); }
void operator delete[](void* pointer, std::align_val_t) noexcept { std::free(pointer); }
void operator delete[](void* pointer, std::size_t, std::align_val_t) noexcept { std::free(pointer); }

namespace trackpurity::nn {
namespace {

TEST(CpuEngineAllocations, CounterSeesAllocations) {
  // The counter must work, or the zero checks below prove nothing.
  const long before = allocation_count.load();
  void* pointer = ::operator new(16);  // a direct call, which the compiler cannot elide
  ::operator delete(pointer);
  EXPECT_EQ(allocation_count.load() - before, 1);
}

TEST(CpuEngineAllocations, NoneInSteadyState) {
  const Model model = make_random_model(Architecture{}, testing::hlt15_names(), 201);
  const CpuEngine engine(model);
  const testing::Columns columns = testing::random_columns(model, 5000, 3);
  std::vector<float> out(columns.rows());

  engine.score(columns.pointers, columns.rows(), out);  // warm-up: thread workspace
  const long before = allocation_count.load();
  for (std::size_t rows : {5000U, 1U, 49U, 4999U, 5000U}) {
    engine.score(columns.pointers, rows, out);
  }
  EXPECT_EQ(allocation_count.load() - before, 0);
}

TEST(CpuEngineAllocations, NoneWithCallerWorkspace) {
  const Model model = make_random_model(Architecture{}, testing::hlt15_names(), 202);
  const CpuEngine engine(model);
  const testing::Columns columns = testing::random_columns(model, 1000, 4);
  std::vector<float> out(columns.rows());
  CpuEngine::Workspace workspace;
  workspace.reserve(engine.workspace_floats());

  const long before = allocation_count.load();
  for (int repetition = 0; repetition < 3; ++repetition) {
    engine.score(columns.pointers, columns.rows(), out, workspace);
  }
  EXPECT_EQ(allocation_count.load() - before, 0);
}

}  // namespace
}  // namespace trackpurity::nn
