// complysim — the strict points-file reader (see points_file.hpp).
#include "complysim/points_file.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <system_error>

namespace complysim {

PointsFileError::PointsFileError(std::string file, std::int64_t line, std::int64_t column, const std::string& message)
    : std::runtime_error(line > 0 ? file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": error: " + message
                                  : file + ": error: " + message),
      file_(std::move(file)),
      line_(line),
      column_(column),
      message_(message) {}

namespace {

/// One field of a line: its text (spaces and tabs around it removed) and the
/// 1-based column where the text (or, if empty, the field) starts.
struct Field {
  std::string_view text;
  std::int64_t column = 0;
};

bool blank(char c) { return c == ' ' || c == '\t'; }

/// A field's text for messages: printable ASCII kept, anything else as \xNN, at most 40 bytes.
std::string shown(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < 40; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (s.size() > 40) out += "...";
  return out;
}

std::string format_number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& display) : text_(text), display_(display) {}

  [[noreturn]] void fail(std::int64_t line, std::int64_t column, const std::string& msg) const {
    throw PointsFileError(display_, line, column, msg);
  }

  /// Splits a line (without its end) into fields; refuses quotes and control characters.
  std::vector<Field> split(std::string_view line, std::int64_t lineno) const {
    std::vector<Field> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= line.size(); ++i) {
      if (i < line.size()) {
        const char c = line[i];
        if (c == '"' || c == '\'')
          fail(lineno, static_cast<std::int64_t>(i) + 1,
               "quoted fields are not supported (names and numbers need no quotes)");
        if (c == '\r') fail(lineno, static_cast<std::int64_t>(i) + 1, "carriage return inside a line");
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
          fail(lineno, static_cast<std::int64_t>(i) + 1, "control character in the line");
        if (c != ',') continue;
      }
      std::size_t a = start, b = i;
      while (a < b && blank(line[a])) ++a;
      while (b > a && blank(line[b - 1])) --b;
      out.push_back(Field{line.substr(a, b - a), static_cast<std::int64_t>(a == b ? start : a) + 1});
      start = i + 1;
    }
    return out;
  }

  double number(const Field& f, std::int64_t lineno, const std::string& column_name) const {
    if (f.text.empty()) fail(lineno, f.column, "empty value for '" + column_name + "'");
    double v = 0;
    const char* first = f.text.data();
    const char* last = first + f.text.size();
    if (*first == '+') ++first;  // from_chars refuses a leading '+'; accept it once
    const auto r = std::from_chars(first, last, v, std::chars_format::general);
    if (r.ec == std::errc::result_out_of_range)
      fail(lineno, f.column, "value '" + shown(f.text) + "' of '" + column_name + "' is out of the range of a double");
    if (r.ec != std::errc() || r.ptr != last || first == last || (first != f.text.data() && (*first == '-' || *first == '+')))
      fail(lineno, f.column, "value '" + shown(f.text) + "' of '" + column_name + "' is not a number");
    if (!std::isfinite(v)) fail(lineno, f.column, "value '" + shown(f.text) + "' of '" + column_name + "' is not finite");
    return v;
  }

  PointsTable parse(const PointsNameCheck& check_name, const PointsValueCheck& check_value) {
    if (text_.size() > kMaxPointsFileBytes)
      fail(0, 0, "the points file has " + std::to_string(text_.size()) + " bytes, more than the limit of " +
                     std::to_string(kMaxPointsFileBytes) + " (16 MiB); split the design into several sweeps");
    std::size_t pos = 0;
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
    PointsTable t;
    bool have_header = false;
    std::size_t n_cols = 0;
    std::ptrdiff_t weight_col = -1;
    std::vector<std::size_t> param_col;  // file column of each parameter
    std::int64_t lineno = 0;
    std::int64_t empty_line = 0;  // first empty line not yet followed by content
    while (pos < text_.size()) {
      ++lineno;
      std::size_t end = text_.find('\n', pos);
      const bool has_end = end != std::string_view::npos;
      if (!has_end) end = text_.size();
      std::string_view line = text_.substr(pos, end - pos);
      pos = has_end ? end + 1 : end;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (const auto nul = line.find('\0'); nul != std::string_view::npos)
        fail(lineno, static_cast<std::int64_t>(nul) + 1, "NUL byte (is this a text file?)");
      bool only_blank = true;
      for (char c : line) only_blank = only_blank && blank(c);
      if (only_blank) {
        if (empty_line == 0) empty_line = lineno;
        continue;
      }
      if (empty_line != 0)
        fail(empty_line, 1, "empty line (remove it, or start it with '#' to make it a comment)");
      if (line.front() == '#') continue;
      const std::vector<Field> fields = split(line, lineno);
      if (!have_header) {
        have_header = true;
        n_cols = fields.size();
        for (std::size_t c = 0; c < fields.size(); ++c) {
          const Field& f = fields[c];
          if (f.text.empty()) fail(lineno, f.column, "empty column name in the header");
          const std::string name(f.text);
          for (std::size_t k = 0; k < c; ++k)
            if (fields[k].text == f.text)
              fail(lineno, f.column, "column '" + shown(name) + "' is given twice (first in column " +
                                         std::to_string(fields[k].column) + ")");
          if (name == "weight") {
            weight_col = static_cast<std::ptrdiff_t>(c);
            continue;
          }
          for (char ch : name)
            if (static_cast<unsigned char>(ch) < 0x21 || static_cast<unsigned char>(ch) > 0x7e)
              fail(lineno, f.column, "column name '" + shown(name) + "' is not a dotted parameter name");
          if (check_name) {
            const std::string why = check_name(name);
            if (!why.empty()) fail(lineno, f.column, why);
          }
          t.names.push_back(name);
          param_col.push_back(c);
        }
        if (t.names.empty())
          fail(lineno, 1, "the header names no parameter (expected dotted parameter names, e.g. law.vagueness, "
                          "and optionally a 'weight' column)");
        continue;
      }
      if (fields.size() != n_cols) {
        const Field& at = fields.size() > n_cols ? fields[n_cols] : fields.back();
        fail(lineno, fields.size() > n_cols ? at.column : static_cast<std::int64_t>(line.size()) + 1,
             "this row has " + std::to_string(fields.size()) + " values, the header " + std::to_string(n_cols) +
                 " columns");
      }
      for (std::size_t j = 0; j < param_col.size(); ++j) {
        const Field& f = fields[param_col[j]];
        const double v = number(f, lineno, t.names[j]);
        if (check_value) {
          const std::string why = check_value(j, v);
          if (!why.empty()) fail(lineno, f.column, why);
        }
        t.values.push_back(v);
      }
      if (weight_col >= 0) {
        const Field& f = fields[static_cast<std::size_t>(weight_col)];
        const double w = number(f, lineno, "weight");
        if (w < 0) fail(lineno, f.column, "weight " + format_number(w) + " is negative");
        t.weight.push_back(w);
      }
      t.line.push_back(lineno);
    }
    if (!have_header) fail(0, 0, "the points file is empty (expected a header of parameter names and at least one row)");
    if (t.rows() == 0) fail(0, 0, "the points file has a header but no points");
    if (weight_col >= 0) {
      bool any = false;
      for (double w : t.weight) any = any || w > 0;
      if (!any) fail(0, 0, "every weight is 0 (at least one point needs a positive weight)");
    }
    return t;
  }

 private:
  std::string_view text_;
  const std::string& display_;
};

}  // namespace

PointsTable parse_points_csv(std::string_view text, const std::string& display, const PointsNameCheck& check_name,
                             const PointsValueCheck& check_value) {
  return Parser(text, display).parse(check_name, check_value);
}

}  // namespace complysim
