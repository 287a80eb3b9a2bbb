// `gpumarket compare`: the summary indicators of several results files side by
// side, as a text table for people or as CSV for scripts.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace gpumarket {

/// The parsed arguments of `gpumarket compare`.
struct CompareCommand {
  std::vector<std::string> paths;  // results files written by `gpumarket run`
  std::vector<std::string> only;   // indicator names to show, in this order; empty: all
  bool headline = false;           // only the articles' indicators (indicators.hpp)
  bool csv = false;                // CSV instead of an aligned text table
};

/// Summary indicators of several runs: one row per indicator, one value per run.
struct CompareTable {
  struct Row {
    std::string name;
    /// The unit as the files state it; when the runs disagree, their distinct
    /// units joined by " | ", so that incomparable values are not silently lined up.
    std::string unit;
    std::vector<std::optional<double>> values;  // one per run; empty when the run lacks it
  };

  /// Column labels, one per run: the file stem ("bull" for "results/bull.h5"),
  /// or the path as given when two files share a stem.
  std::vector<std::string> runs;
  /// Sorted by name, or in the order of `only` when that was given.
  std::vector<Row> rows;
};

/// Reads the summary of every file in `paths` (at least one) and lines the
/// indicators up: rows are the union of the indicator names. When `only` is not
/// empty, just those rows, in that order. Throws gpumarket::Error, with a message
/// starting with the path, when a file is missing, not HDF5 or incomplete; and
/// when a name in `only` is in none of the files, listing the closest names.
CompareTable compare_runs(const std::vector<std::string>& paths,
                          const std::vector<std::string>& only = {});

/// An aligned text table: indicator, one column per run, unit. A missing value
/// is shown as "-". Values have 6 significant digits, except that magnitudes
/// from 1e5 to 1e12 are rounded to whole numbers. Ends with a newline.
std::string format_compare_text(const CompareTable& table);

/// RFC 4180 CSV with a header line "indicator,unit,<run>...". Values are written
/// with the shortest text that reads back as the same double; a missing value
/// is an empty field (read as NaN by pandas and numpy).
std::string format_compare_csv(const CompareTable& table);

/// The rows of the articles' indicators (indicator::kArticleIndicators), in that order.
CompareTable headline_rows(CompareTable table);

/// compare_runs() (and headline_rows() with `command.headline`), then the text or CSV
/// formatter, as `command.csv` says.
std::string compare_command(const CompareCommand& command);

}  // namespace gpumarket
