// complysim tests — building swept parameters for design and estimator tests.
#pragma once

#include "complysim/scenario.hpp"

#include <string>
#include <utility>
#include <vector>

namespace complysim::test {

/// A swept parameter over the range [lo, hi] (lhs, sobol).
inline SweepParameter ranged(std::string name, double lo, double hi) {
  SweepParameter p;
  p.name = std::move(name);
  p.min = lo;
  p.max = hi;
  return p;
}

/// A swept parameter over listed values (grid).
inline SweepParameter listed(std::string name, std::vector<double> values) {
  SweepParameter p;
  p.name = std::move(name);
  p.values = std::move(values);
  return p;
}

}  // namespace complysim::test
