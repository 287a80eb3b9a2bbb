#include "gpumarket/cli/dominance_warning.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <string_view>

#include "gpumarket/market/indicators.hpp"

namespace gpumarket {
namespace {

struct ShareKind {
  const IndicatorDefinition* suffix;
  const char* contributor;
};

constexpr ShareKind kShareKinds[] = {{&indicator::kLargestJobShare, "job"},
                                     {&indicator::kLargestTickShare, "tick"},
                                     {&indicator::kLargestDayShare, "day"}};

}  // namespace

std::vector<Dominance> find_dominance(const std::vector<std::string>& names,
                                      const std::vector<std::vector<double>>& values) {
  std::vector<Dominance> found;
  for (size_t k = 0; k < names.size() && k < values.size(); ++k) {
    const std::string& name = names[k];
    const auto* const kind =
        std::find_if(std::begin(kShareKinds), std::end(kShareKinds),
                     [&](const ShareKind& s) { return indicator::names(*s.suffix, name); });
    if (kind == std::end(kShareKinds)) continue;
    Dominance d;
    d.indicator = name.substr(0, name.size() - kind->suffix->name.size());
    d.share_name = name;
    d.contributor = kind->contributor;
    for (const double share : values[k]) {
      if (std::isnan(share)) continue;
      ++d.of;
      d.largest = std::max(d.largest, share);
      if (share > kDominanceThreshold) ++d.replications;
    }
    if (d.replications > 0) found.push_back(std::move(d));
  }
  // A job's contribution lies within one tick, so a dominant job makes its tick dominant too:
  // the job, the more specific cause, is the one reported.
  std::erase_if(found, [&](const Dominance& d) {
    return d.contributor == "tick" &&
           std::any_of(found.begin(), found.end(), [&](const Dominance& other) {
             return other.contributor == "job" && other.indicator == d.indicator;
           });
  });
  return found;
}

std::string format_dominance(const std::vector<Dominance>& found, uint64_t runs) {
  std::string out;
  for (const Dominance& d : found) {
    if (runs == 1) {
      out += fmt::format(
          "warning: one {} contributed {:.1f} % of {} over its window ({} = {:.3g}, above "
          "{:.0f} %): a single draw decides it\n",
          d.contributor, 100 * d.largest, d.indicator, d.share_name, d.largest,
          100 * kDominanceThreshold);
    } else {
      out += fmt::format(
          "warning: in {} of {} replications one {} contributed more than {:.0f} % of {} over "
          "its window (largest {:.1f} %, {}): read the median, and add replications\n",
          d.replications, d.of, d.contributor, 100 * kDominanceThreshold, d.indicator,
          100 * d.largest, d.share_name);
    }
  }
  return out;
}

}  // namespace gpumarket
