// The alliance's pooled budget and its split: the source of truth for what the pool can
// spend on hardware, research grants, state services and anything a scenario adds (opex,
// construction). Each mechanism that spends draws on its own share, so money spent in any
// category never exceeds that share of the total, and the total never exceeds the budget.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gpumarket {

/// One named share of the budget, a fraction in [0, 1].
struct BudgetShare {
  std::string name;
  double share = 0.0;
};

/// The names the model's spending mechanisms draw on; a scenario may add others.
inline constexpr std::string_view kHardwareBudget = "hardware";
inline constexpr std::string_view kResearchBudget = "research";
inline constexpr std::string_view kServicesBudget = "services";

struct AllianceBudgetParams {
  /// USD. Article: "a pooled budget of $12 billion for compute infrastructure" (Bloomberg
  /// Intelligence, July 2026).
  double total_usd = 12e9;
  /// Shares summing to 1. Article: "40 % earmarked for hardware purchases and 30 % for
  /// research grants"; "the remaining 30 % reserved for state-controlled AI services".
  std::vector<BudgetShare> split = {
      {std::string(kHardwareBudget), 0.4},
      {std::string(kResearchBudget), 0.3},
      {std::string(kServicesBudget), 0.3},
  };

  /// The share named `name`, 0 if the split has none.
  double share(std::string_view name) const {
    for (const BudgetShare& s : split) {
      if (s.name == name) return s.share;
    }
    return 0.0;
  }
  /// USD available to the category named `name`.
  double usd(std::string_view name) const { return total_usd * share(name); }
};

}  // namespace gpumarket
