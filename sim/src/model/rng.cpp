// complysim — Philox4x32-10 for many counters at once (see rng.hpp).
#include "complysim/model/rng.hpp"

#include <immintrin.h>

namespace complysim {
namespace {

constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;  // Random123 PHILOX_M4x32_0/1
constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;  // Random123 PHILOX_W32_0/1
constexpr std::size_t kLanes = 16;

/// One chunk of up to kLanes counters, lanes as arrays so the compiler
/// vectorises each round (32 x 32 -> 64-bit multiplies: pmuludq and wider).
/// Written for the clones below; the same integer arithmetic on every ISA.
[[gnu::target_clones("avx2", "default")]]
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

// GCC 12 warns inside avx512fintrin.h (its _mm512_undefined_* placeholders); a known false positive.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
/// The same for exactly kLanes counters with AVX-512F intrinsics: the 32 x 32
/// -> 64-bit products of the even and odd lanes (vpmuludq), their high and low
/// halves blended back into 16 lanes.
[[gnu::target("avx512f")]]
void philox_chunk_avx512(std::uint32_t k0, std::uint32_t k1, std::uint32_t c0, const std::uint32_t* c1, std::uint32_t c2,
                         std::uint32_t c3, std::uint32_t* out) {
  const __m512i m0 = _mm512_set1_epi64(kM0), m1 = _mm512_set1_epi64(kM1);
  __m512i x0 = _mm512_set1_epi32(static_cast<int>(c0)), x1 = _mm512_loadu_si512(c1);
  __m512i x2 = _mm512_set1_epi32(static_cast<int>(c2)), x3 = _mm512_set1_epi32(static_cast<int>(c3));
  constexpr __mmask16 kOdd = 0xAAAA;
  for (int round = 0; round < 10; ++round) {
    const __m512i pe0 = _mm512_mul_epu32(x0, m0), po0 = _mm512_mul_epu32(_mm512_srli_epi64(x0, 32), m0);
    const __m512i pe1 = _mm512_mul_epu32(x2, m1), po1 = _mm512_mul_epu32(_mm512_srli_epi64(x2, 32), m1);
    const __m512i lo0 = _mm512_mask_blend_epi32(kOdd, pe0, _mm512_slli_epi64(po0, 32));
    const __m512i hi0 = _mm512_mask_blend_epi32(kOdd, _mm512_srli_epi64(pe0, 32), po0);
    const __m512i lo1 = _mm512_mask_blend_epi32(kOdd, pe1, _mm512_slli_epi64(po1, 32));
    const __m512i hi1 = _mm512_mask_blend_epi32(kOdd, _mm512_srli_epi64(pe1, 32), po1);
    const __m512i y0 = _mm512_ternarylogic_epi32(hi1, x1, _mm512_set1_epi32(static_cast<int>(k0)), 0x96);  // a ^ b ^ c
    const __m512i y2 = _mm512_ternarylogic_epi32(hi0, x3, _mm512_set1_epi32(static_cast<int>(k1)), 0x96);
    x0 = y0;
    x1 = lo1;
    x2 = y2;
    x3 = lo0;
    k0 += kW0;
    k1 += kW1;
  }
  alignas(64) std::uint32_t w[4][kLanes];
  _mm512_store_si512(w[0], x0);
  _mm512_store_si512(w[1], x1);
  _mm512_store_si512(w[2], x2);
  _mm512_store_si512(w[3], x3);
  for (std::size_t l = 0; l < kLanes; ++l)
    for (std::size_t j = 0; j < 4; ++j) out[4 * l + j] = w[j][l];
}

#pragma GCC diagnostic pop

const bool kHaveAvx512 = __builtin_cpu_supports("avx512f");

}  // namespace

void philox_many(RunKey key, std::uint32_t c0, const std::uint32_t* c1, std::uint32_t c2, std::uint32_t c3, std::size_t n,
                 std::uint32_t* out) {
  for (std::size_t i = 0; i < n; i += kLanes) {
    const std::size_t m = n - i < kLanes ? n - i : kLanes;
    if (kHaveAvx512 && m == kLanes) {
      philox_chunk_avx512(key.k0, key.k1, c0, c1 + i, c2, c3, out + 4 * i);
      continue;
    }
    philox_chunk(key.k0, key.k1, c0, c1 + i, c2, c3, m, out + 4 * i);
  }
}

}  // namespace complysim
