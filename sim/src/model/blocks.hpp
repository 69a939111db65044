// complysim — the batching of the model's passes (private to model.cpp):
// fixed blocks of users, per-thread scratch, and the Philox words that four
// consecutive users share. Fixed blocks make every per-block partial sum, and
// hence every result, independent of the thread count.
#pragma once

#include "complysim/model/rng.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace complysim::blocks {

/// Users per block of the parallel passes. Fixed, so that the per-block
/// partial sums, and hence every result, do not depend on the thread count.
constexpr std::size_t kBlock = 8192;
static_assert(kBlock % 4 == 0, "belief_pass shares one Philox block among 4 consecutive users");

/// Calls f(block, lo, hi) for every block of kBlock users of [0, n), in parallel.
template <class F>
void for_blocks(std::size_t n, F&& f) {
  const std::size_t nb = (n + kBlock - 1) / kBlock;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, nb, 1),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      for (std::size_t b = r.begin(); b != r.end(); ++b)
                        f(b, b * kBlock, std::min(n, (b + 1) * kBlock));
                    },
                    tbb::simple_partitioner());
}

/// Per-thread scratch of the passes over one block of users (kept between
/// days so that no block allocates; contents never outlive one block).
struct BlockScratch {
  std::vector<std::uint32_t> first, words, who, count, block0, block1, flips;
};
inline BlockScratch& scratch() {
  thread_local BlockScratch s;
  return s;
}

/// The words of a draw that four consecutive users share: user i takes word
/// i mod 4 of the stream (day, agent = i - i mod 4, purpose), block 0. Users
/// lo..hi-1 (lo a multiple of 4, as every block of users is, so this does not
/// depend on the thread count), all at once with philox_many; user i's word is
/// the result's [i - lo]. Uses sc.first and sc.words.
inline const std::uint32_t* shared_block_words(RunKey key, std::uint32_t day, Purpose purpose, std::size_t lo, std::size_t hi,
                                        BlockScratch& sc) {
  const std::size_t groups = (hi - lo + 3) / 4;
  sc.first.resize(groups);
  sc.words.resize(4 * groups);
  for (std::size_t g = 0; g < groups; ++g) sc.first[g] = static_cast<std::uint32_t>(lo + 4 * g);
  philox_many(key, day, sc.first.data(), static_cast<std::uint32_t>(purpose), 0, groups, sc.words.data());
  return sc.words.data();
}
}  // namespace complysim::blocks
