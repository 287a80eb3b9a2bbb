// Constraints between sweep axes: one comparison of two arithmetic expressions over axis
// names, e.g. "subsidy <= 0.5 * licensed_share" or "servers * 0.9 > arrival_rate_per_hour".
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gpumarket/core/error.hpp"

namespace gpumarket {

/// A parsed constraint. Grammar:
///   constraint := sum ("<" | "<=" | ">" | ">=" | "==" | "!=") sum
///   sum        := product (("+" | "-") product)*
///   product    := unary (("*" | "/") unary)*
///   unary      := "-" unary | number | name | "(" sum ")"
/// Names are numeric axes; numbers are decimal literals such as 0.5 or 1e-3.
/// A constraint is at most kMaxConstraintLength characters with at most kMaxConstraintDepth
/// nested parentheses and signs, so that no input exhausts the stack.
inline constexpr size_t kMaxConstraintLength = 4096;
inline constexpr size_t kMaxConstraintDepth = 64;

class Constraint {
 public:
  /// Parses `text`. `axis_names` are the names allowed, `numeric` says which of them are
  /// numeric. Throws Error at `where` (column shifted to the offending character when the
  /// text is on one line) for a syntax error, an unknown name or a non-numeric axis.
  Constraint(std::string_view text, const std::vector<std::string>& axis_names,
             const std::vector<bool>& numeric, const SourceLocation& where);
  ~Constraint();
  Constraint(const Constraint&) = delete;
  Constraint& operator=(const Constraint&) = delete;
  Constraint(Constraint&&) noexcept;
  Constraint& operator=(Constraint&&) noexcept;

  /// Whether the point with these axis values (in the order of `axis_names`) satisfies it.
  bool holds(const std::vector<double>& values) const;
  const std::string& text() const { return text_; }
  const SourceLocation& location() const { return where_; }

  struct Node;

 private:
  std::string text_;
  SourceLocation where_;
  std::unique_ptr<Node> root_;
};

}  // namespace gpumarket
