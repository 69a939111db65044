// complysim benchmarks — the random-read roofline (issue 7).
//
// The opinion-climate pass is a gather: for every user, read a small value of
// each neighbour. The fastest such loop this machine runs over the same CSR
// graph is the minimal one below: out[i] = sum over the neighbours j of i of
// value[j]. Its rate (neighbour reads per second) is the reference the climate
// pass is compared with; value is 8 bytes (the size of the old per-user
// `Visible` record) or 1 byte (the size of the flags the pass now reads).
#pragma once

#include "complysim/model/network.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace complysim::bench {

/// out[i] = sum of value[j] over the neighbours j of i, for i in [lo, hi). No prefetching, no tricks.
template <class T>
inline void neighbour_sum(const Network& net, const std::vector<T>& value, std::vector<std::uint32_t>& out,
                          std::uint32_t lo, std::uint32_t hi) {
  const std::uint64_t* off = net.offsets.data();
  const std::uint32_t* nb = net.neighbors.data();
  const T* v = value.data();
  for (std::uint32_t i = lo; i < hi; ++i) {
    std::uint32_t s = 0;
    for (std::uint64_t e = off[i]; e < off[i + 1]; ++e) s += static_cast<std::uint32_t>(v[nb[e]]);
    out[i] = s;
  }
}

}  // namespace complysim::bench
