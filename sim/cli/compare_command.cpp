#include "gpumarket/cli/compare_command.hpp"

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iterator>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/error.hpp"
#include "gpumarket/core/recorder.hpp"
#include "gpumarket/io/hdf5_reader.hpp"
#include "gpumarket/market/indicators.hpp"

namespace gpumarket {
namespace {

constexpr size_t kMaxSuggestions = 5;

// File stems label the columns; when two files share a stem ("a/run.h5",
// "b/run.h5") the stems would hide which is which, so all columns then use the
// paths as given.
std::vector<std::string> run_labels(const std::vector<std::string>& paths) {
  std::vector<std::string> stems;
  stems.reserve(paths.size());
  for (const std::string& path : paths)
    stems.push_back(std::filesystem::path(path).stem().string());
  const std::set<std::string> distinct(stems.begin(), stems.end());
  return distinct.size() == stems.size() ? stems : paths;
}

// Optimal string alignment distance: insertions, deletions, substitutions and
// swaps of adjacent characters ("wiat" for "wait") each cost one edit.
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// Names within a few edits of `name` (typos), or containing it or contained in
// it ("fee" for "fee_index"), closest first.
std::vector<std::string> close_matches(const std::string& name,
                                       const std::map<std::string, CompareTable::Row>& rows) {
  std::vector<std::pair<size_t, std::string>> scored;
  const size_t tolerance = std::max<size_t>(2, name.size() / 3);
  for (const auto& [candidate, row] : rows) {
    const size_t distance = edit_distance(name, candidate);
    const bool contains =
        candidate.find(name) != std::string::npos || name.find(candidate) != std::string::npos;
    if (distance <= tolerance || contains) scored.emplace_back(distance, candidate);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> names;
  for (size_t i = 0; i < scored.size() && i < kMaxSuggestions; ++i)
    names.push_back(scored[i].second);
  return names;
}

// One sentence per unknown name with its close matches; the full list of names
// once at the end when some name has none.
std::string unknown_names_message(const std::vector<std::string>& unknown,
                                  const std::map<std::string, CompareTable::Row>& rows) {
  std::vector<std::string> sentences;
  bool list_all = false;
  for (const std::string& name : unknown) {
    const std::vector<std::string> matches = close_matches(name, rows);
    if (matches.empty()) {
      list_all = true;
      sentences.push_back(fmt::format("no file has an indicator named '{}'.", name));
    } else {
      sentences.push_back(fmt::format("no file has an indicator named '{}'; close matches: {}.",
                                      name, fmt::join(matches, ", ")));
    }
  }
  if (list_all) {
    std::vector<std::string> all;
    all.reserve(rows.size());
    for (const auto& [candidate, row] : rows) all.push_back(candidate);
    sentences.push_back(fmt::format("The files have: {}.", fmt::join(all, ", ")));
  }
  return fmt::format("compare --only: {}", fmt::join(sentences, " "));
}

// Six significant digits, but whole numbers for large magnitudes: counts of jobs
// or PF*h read better as 1234568 than as 1.23457e+06.
std::string text_value(const std::optional<double>& value) {
  if (!value) return "-";
  const double magnitude = std::abs(*value);
  if (magnitude >= 1e5 && magnitude < 1e12) return fmt::format("{:.0f}", *value);
  return fmt::format("{:.6g}", *value);
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

CompareTable compare_runs(const std::vector<std::string>& paths,
                          const std::vector<std::string>& only) {
  if (paths.empty()) throw Error("compare: no results files given.");
  CompareTable table;
  table.runs = run_labels(paths);

  std::map<std::string, CompareTable::Row> rows;  // sorted by name
  // All units seen per indicator, in the order of the files.
  std::map<std::string, std::vector<std::string>> units;
  for (size_t run = 0; run < paths.size(); ++run) {
    const Hdf5Reader reader(paths[run]);
    for (const SummaryValue& value : reader.summary()) {
      CompareTable::Row& row = rows[value.name];
      if (row.values.empty()) {
        row.name = value.name;
        row.values.resize(paths.size());
      }
      row.values[run] = value.value;
      std::vector<std::string>& seen = units[value.name];
      if (std::find(seen.begin(), seen.end(), value.unit) == seen.end()) seen.push_back(value.unit);
    }
  }
  for (auto& [name, row] : rows) row.unit = fmt::format("{}", fmt::join(units[name], " | "));

  if (only.empty()) {
    for (auto& [name, row] : rows) table.rows.push_back(std::move(row));
    return table;
  }
  std::vector<std::string> unknown;
  std::set<std::string> taken;
  for (const std::string& name : only) {
    if (name.empty() || !taken.insert(name).second) continue;
    const auto found = rows.find(name);
    if (found == rows.end()) {
      unknown.push_back(name);
    } else {
      table.rows.push_back(found->second);
    }
  }
  if (!unknown.empty()) throw Error(unknown_names_message(unknown, rows));
  return table;
}

std::string format_compare_text(const CompareTable& table) {
  size_t name_width = std::string_view("indicator").size();
  for (const CompareTable::Row& row : table.rows)
    name_width = std::max(name_width, row.name.size());
  std::vector<size_t> widths;
  for (size_t run = 0; run < table.runs.size(); ++run) {
    size_t width = table.runs[run].size();
    for (const CompareTable::Row& row : table.rows) {
      GPUMARKET_CHECK(row.values.size() == table.runs.size());
      width = std::max(width, text_value(row.values[run]).size());
    }
    widths.push_back(width);
  }

  const auto line = [&](const std::string& name, const std::vector<std::string>& cells,
                        const std::string& unit) {
    std::string text = fmt::format("{:<{}}", name, name_width);
    for (size_t run = 0; run < cells.size(); ++run) {
      text += fmt::format("  {:>{}}", cells[run], widths[run]);
    }
    if (!unit.empty()) text += "  " + unit;
    return text + "\n";
  };
  std::string text = line("indicator", table.runs, "unit");
  for (const CompareTable::Row& row : table.rows) {
    std::vector<std::string> cells;
    for (const std::optional<double>& value : row.values) cells.push_back(text_value(value));
    text += line(row.name, cells, row.unit);
  }
  return text;
}

std::string format_compare_csv(const CompareTable& table) {
  std::string text = "indicator,unit";
  for (const std::string& run : table.runs)
    fmt::format_to(std::back_inserter(text), ",{}", csv_field(run));
  text += "\n";
  for (const CompareTable::Row& row : table.rows) {
    fmt::format_to(std::back_inserter(text), "{},{}", csv_field(row.name), csv_field(row.unit));
    for (const std::optional<double>& value : row.values) {
      text += ",";
      if (value) text += fmt::format("{}", *value);
    }
    text += "\n";
  }
  return text;
}

CompareTable headline_rows(CompareTable table) {
  std::vector<CompareTable::Row> rows;
  for (const IndicatorDefinition* indicator : indicator::kArticleIndicators) {
    for (const CompareTable::Row& row : table.rows) {
      if (indicator::names(*indicator, row.name)) rows.push_back(row);
    }
  }
  table.rows = std::move(rows);
  return table;
}

std::string compare_command(const CompareCommand& command) {
  CompareTable table = compare_runs(command.paths, command.only);
  if (command.headline) table = headline_rows(std::move(table));
  return command.csv ? format_compare_csv(table) : format_compare_text(table);
}

}  // namespace gpumarket
