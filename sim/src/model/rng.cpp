// complysim — Philox4x32-10 for many counters at once (see rng.hpp).
#include "complysim/model/rng.hpp"

namespace complysim {
namespace {

constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;  // Random123 PHILOX_M4x32_0/1
constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;  // Random123 PHILOX_W32_0/1
constexpr std::size_t kLanes = 16;

/// One chunk of up to kLanes counters, lanes as arrays so the compiler
/// vectorises each round (32 x 32 -> 64-bit multiplies: pmuludq and wider).
/// Written for the clones below; the same integer arithmetic on every ISA.
[[gnu::target_clones("avx512f", "avx2", "default")]]
void philox_chunk(std::uint32_t k0, std::uint32_t k1, std::uint32_t c0, const std::uint32_t* c1, std::uint32_t c2, std::uint32_t c3,
                  std::size_t n, std::uint32_t* out) {
  std::uint32_t x0[kLanes], x1[kLanes], x2[kLanes], x3[kLanes];
  for (std::size_t l = 0; l < kLanes; ++l) {
    x0[l] = c0;
    x1[l] = l < n ? c1[l] : 0u;
    x2[l] = c2;
    x3[l] = c3;
  }
  for (int round = 0; round < 10; ++round) {
    for (std::size_t l = 0; l < kLanes; ++l) {
      const std::uint64_t p0 = static_cast<std::uint64_t>(kM0) * x0[l];
      const std::uint64_t p1 = static_cast<std::uint64_t>(kM1) * x2[l];
      const std::uint32_t y0 = static_cast<std::uint32_t>(p1 >> 32) ^ x1[l] ^ k0;
      const std::uint32_t y2 = static_cast<std::uint32_t>(p0 >> 32) ^ x3[l] ^ k1;
      x1[l] = static_cast<std::uint32_t>(p1);
      x3[l] = static_cast<std::uint32_t>(p0);
      x0[l] = y0;
      x2[l] = y2;
    }
    k0 += kW0;
    k1 += kW1;
  }
  for (std::size_t l = 0; l < n; ++l) {
    out[4 * l] = x0[l];
    out[4 * l + 1] = x1[l];
    out[4 * l + 2] = x2[l];
    out[4 * l + 3] = x3[l];
  }
}

}  // namespace

void philox_many(RunKey key, std::uint32_t c0, const std::uint32_t* c1, std::uint32_t c2, std::uint32_t c3, std::size_t n,
                 std::uint32_t* out) {
  for (std::size_t i = 0; i < n; i += kLanes) {
    const std::size_t m = n - i < kLanes ? n - i : kLanes;
    philox_chunk(key.k0, key.k1, c0, c1 + i, c2, c3, m, out + 4 * i);
  }
}

}  // namespace complysim
