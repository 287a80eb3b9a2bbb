#include "gpumarket/sweep/sweep_compare.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "gpumarket/core/error.hpp"
#include "gpumarket/core/unsigned_text.hpp"
#include "gpumarket/sweep/sample_statistics.hpp"

namespace gpumarket {
namespace {

// The position of `name` in `names`, or names.size() when it is not there.
size_t index_of(const std::vector<std::string>& names, const std::string& name) {
  return static_cast<size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

// "a, b, c", for messages.
std::string name_list(const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& n : names) list += fmt::format("{}{}", list.empty() ? "" : ", ", n);
  return list;
}

// Which rows a selection takes; `named` marks the axes it names.
std::vector<bool> select(const SweepResult& r, const RowSelection& s, std::vector<bool>& named) {
  std::vector<bool> chosen(r.size(), true);
  for (const auto& [name, value] : s.conditions) {
    if (name == "point") {
      uint64_t p = 0;
      if (parse_unsigned(value, p) != UnsignedText::Ok) {
        throw Error(fmt::format("'{}': point={}: expected {}.", s.text, value, kUnsignedExpected));
      }
      for (size_t i = 0; i < r.size(); ++i) chosen[i] = chosen[i] && r.point[i] == p;
      std::fill(named.begin(), named.end(), true);
      continue;
    }
    const size_t a = index_of(r.axis_names, name);
    if (a == r.axis_names.size()) {
      throw Error(fmt::format("'{}': the sweep has no axis '{}' (axes: {}; or point=N).", s.text,
                              name, name_list(r.axis_names)));
    }
    named[a] = true;
    if (r.axis_numeric[a]) {
      char* end = nullptr;
      const double x = std::strtod(value.c_str(), &end);
      if (end == value.c_str()) {
        throw Error(fmt::format("'{}': axis '{}' is numeric, got '{}'.", s.text, name, value));
      }
      for (size_t i = 0; i < r.size(); ++i) {
        const double y = r.axis_number[a][i];
        chosen[i] = chosen[i] && std::abs(x - y) <= 1e-12 * std::max(1.0, std::abs(y));
      }
    } else {
      for (size_t i = 0; i < r.size(); ++i) chosen[i] = chosen[i] && r.axis_text[a][i] == value;
    }
  }
  return chosen;
}

std::string axis_value_text(const SweepResult& r, size_t a, size_t i) {
  return r.axis_numeric[a] ? fmt::format("{}", r.axis_number[a][i]) : r.axis_text[a][i];
}

// The group of row i: the values of the axes neither selection names ("all" when they name
// every axis).
std::string group_of(const SweepResult& r, const std::vector<bool>& named, size_t i) {
  std::string g;
  for (size_t x = 0; x < r.axis_names.size(); ++x) {
    if (named[x]) continue;
    g += fmt::format("{}{}={}", g.empty() ? "" : ",", r.axis_names[x], axis_value_text(r, x, i));
  }
  return g.empty() ? std::string("all") : g;
}

struct RowPairs {
  std::vector<std::pair<size_t, size_t>> rows;  // (row of A, row of B)
  std::vector<std::string> group;               // the group of each pair
  std::vector<std::string> groups;              // the groups in row order, then "all"
};

// Pairs each done row of A with the done row of B of the same group and replication. Throws
// Error when no row pairs up.
RowPairs pair_rows(const SweepResult& r, const std::vector<bool>& in_a,
                   const std::vector<bool>& in_b, const std::vector<bool>& named,
                   const RowSelection& a, const RowSelection& b) {
  std::map<std::pair<std::string, uint64_t>, size_t> b_rows;
  for (size_t i = 0; i < r.size(); ++i) {
    if (in_b[i] && r.status[i] == "done") b_rows[{group_of(r, named, i), r.replication[i]}] = i;
  }
  RowPairs pairs;
  for (size_t i = 0; i < r.size(); ++i) {
    if (!in_a[i] || r.status[i] != "done") continue;
    const std::string g = group_of(r, named, i);
    const auto it = b_rows.find({g, r.replication[i]});
    if (it == b_rows.end() || it->second == i) continue;
    pairs.rows.emplace_back(i, it->second);
    pairs.group.push_back(g);
    if (std::find(pairs.groups.begin(), pairs.groups.end(), g) == pairs.groups.end()) {
      pairs.groups.push_back(g);
    }
  }
  if (pairs.rows.empty()) {
    throw Error(
        fmt::format("no done rows pair up between '{}' and '{}' (pairs need the same "
                    "replication and the same values on the other axes).",
                    a.text, b.text));
  }
  if (pairs.groups.size() > 1 || pairs.groups.front() != "all") pairs.groups.emplace_back("all");
  return pairs;
}

// The paired differences B - A of one indicator column over the pairs of group `g`.
PairedDifference paired_difference(const SweepResult& r, const RowPairs& pairs, size_t column,
                                   const std::string& g, double confidence) {
  RunningStats sa, sb, d;
  for (size_t p = 0; p < pairs.rows.size(); ++p) {
    if (g != "all" && pairs.group[p] != g) continue;
    const double xa = r.indicator[column][pairs.rows[p].first];
    const double xb = r.indicator[column][pairs.rows[p].second];
    sa.add(xa);
    sb.add(xb);
    d.add(xb - xa);
  }
  PairedDifference e;
  e.group = g;
  e.pairs = d.n;
  e.mean_a = sa.mean;
  e.mean_b = sb.mean;
  e.mean_difference = d.mean;
  const double n = static_cast<double>(d.n);
  const double half = d.half_width(confidence);
  e.ci_low = d.mean - half;
  e.ci_high = d.mean + half;
  const double va = sa.variance() / n, vb = sb.variance() / n;
  const double welch_dof = (va + vb) * (va + vb) / (va * va / (n - 1) + vb * vb / (n - 1));
  e.unpaired_half_width = t_quantile(confidence, welch_dof) * std::sqrt(va + vb);
  return e;
}

}  // namespace

std::vector<size_t> indicator_columns(const SweepResult& r,
                                      const std::vector<std::string>& indicators) {
  std::vector<size_t> columns;
  for (const std::string& name : indicators) {
    const size_t k = index_of(r.indicator_names, name);
    if (k == r.indicator_names.size()) {
      throw Error(fmt::format("the sweep has no indicator '{}' (indicators: {}).", name,
                              name_list(r.indicator_names)));
    }
    columns.push_back(k);
  }
  return columns;
}

RowSelection parse_row_selection(const std::string& text) {
  RowSelection s;
  s.text = text;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
      throw Error(
          fmt::format("'{}': expected name=value[,name=value...] (an axis name, or point).", text));
    }
    s.conditions.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return s;
}

std::vector<PairedDifference> compare_sweep(const SweepResult& r, const RowSelection& a,
                                            const RowSelection& b,
                                            const std::vector<std::string>& indicators,
                                            double confidence) {
  std::vector<bool> named(r.axis_names.size(), false);
  const std::vector<bool> in_a = select(r, a, named);
  const std::vector<bool> in_b = select(r, b, named);
  const std::vector<size_t> columns = indicator_columns(r, indicators);
  const RowPairs pairs = pair_rows(r, in_a, in_b, named, a, b);
  std::vector<PairedDifference> out;
  for (size_t c = 0; c < columns.size(); ++c) {
    for (const std::string& g : pairs.groups) {
      PairedDifference e = paired_difference(r, pairs, columns[c], g, confidence);
      e.indicator = indicators[c];
      out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace gpumarket
