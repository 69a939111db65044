// complysim — the reader of sweep points files (`[sweep] design = "file"`,
// `points_file = "..."`; docs/sweeps.md, docs/scenarios.md).
//
// A points file is a small CSV: a header of dotted parameter names (and at most
// one `weight` column), then one row of numbers per sample point. The reader is
// strict and stands alone (no scenario needed), so it can be fuzzed on its own;
// the scenario loader adds what needs a scenario (the names exist, are numeric,
// and each value is in its parameter's range) through the two callbacks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace complysim {

/// Largest points file accepted, in bytes (16 MiB: about 120,000 points of
/// seven parameters written with 17 significant digits, 20 bytes a value). The text is kept in
/// the loaded Scenario (SweepSpec::points_text) so that it can be embedded in
/// results files; a larger design belongs in several sweeps.
inline constexpr std::size_t kMaxPointsFileBytes = std::size_t{16} << 20;

/// A parsed points file.
struct PointsTable {
  /// [d] dotted parameter names, in file order (the `weight` column left out).
  std::vector<std::string> names;
  /// [rows * d] the values, row-major: value(i, j) = values[i * d + j], in each
  /// parameter's own unit (not rounded: integer parameters are rounded per run).
  std::vector<double> values;
  /// [rows] each point's weight (>= 0, not normalised), or empty when the file has
  /// no `weight` column.
  std::vector<double> weight;
  /// [rows] the 1-based line of each point in the file (for messages).
  std::vector<std::int64_t> line;

  /// Number of points.
  std::size_t rows() const { return line.size(); }
};

/// Checks a header name (not called for `weight`): returns "" when the name is
/// a numeric parameter, else the message ("unknown parameter 'x'; did you mean 'y'?").
using PointsNameCheck = std::function<std::string(const std::string& name)>;
/// Checks value `v` of column `j` of `names` (0-based, `weight` excluded): "" when
/// acceptable, else the message ("value 1.5 of 'law.vagueness' is out of range [0, 1]").
using PointsValueCheck = std::function<std::string(std::size_t j, double v)>;

/// Error in a points file. what() is "FILE:LINE:COLUMN: error: MESSAGE" (or
/// "FILE: error: MESSAGE" without a position). The scenario loader turns it
/// into a ScenarioError with the same text.
class PointsFileError : public std::runtime_error {
 public:
  PointsFileError(std::string file, std::int64_t line, std::int64_t column, const std::string& message);
  const std::string& file() const { return file_; }
  std::int64_t line() const { return line_; }      ///< 1-based; 0 = no position
  std::int64_t column() const { return column_; }  ///< 1-based byte column; 0 = no position
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  std::int64_t line_, column_;
  std::string message_;
};

/// Parses the text of a points file. `display` names the file in messages.
///
/// Format (strict; every rule breaks with a PointsFileError at its line and column):
/// - at most kMaxPointsFileBytes bytes; no NUL bytes; a leading UTF-8 byte-order mark is skipped;
/// - lines end with "\n" or "\r\n"; the last line may lack its end;
/// - a line whose first character is '#' is a comment; an empty line is an error
///   (except after the last row);
/// - the first other line is the header: comma-separated dotted parameter names,
///   each non-empty, none twice, optionally one column named `weight`, at least one
///   parameter; spaces and tabs around a field are ignored; no quoting (`"` is refused);
/// - every further line is a point: exactly one number per header column, written as
///   a decimal or scientific literal (std::from_chars, general format: "0.5", "-3",
///   "1e-3"); nan, inf, hex and trailing characters are refused; a weight must be >= 0;
/// - at least one point, and when there is a weight column, at least one positive weight.
/// @param check_name  optional; called once per parameter name (in order).
/// @param check_value optional; called for every parameter value.
/// @throws PointsFileError
PointsTable parse_points_csv(std::string_view text, const std::string& display,
                             const PointsNameCheck& check_name = {}, const PointsValueCheck& check_value = {});

}  // namespace complysim
