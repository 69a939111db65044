// complysim — the parameter table as text (`complysim params`, docs/parameters.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace complysim {

/// Output format of format_parameter_table().
enum class ParamFormat { Table, Markdown, Csv };

/// "table" | "markdown" | "csv" -> format; std::nullopt for anything else.
std::optional<ParamFormat> parse_param_format(std::string_view name);

/// The whole parameter table: dotted name, type, default, unit, range,
/// description, source. Markdown is the exact text of docs/parameters.md;
/// CSV follows RFC 4180 (quoted fields, one header row). Table: within 100 columns
/// (a heading line per parameter, description and source wrapped under it) unless
/// `wide` (one line per parameter, however long).
std::string format_parameter_table(ParamFormat format, bool wide = false);

}  // namespace complysim
