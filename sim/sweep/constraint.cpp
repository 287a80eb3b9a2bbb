#include "gpumarket/sweep/constraint.hpp"

#include <fmt/core.h>

#include <cctype>
#include <cstdlib>
#include <utility>

namespace gpumarket {

struct Constraint::Node {
  enum class Kind { Number, Axis, Negate, Add, Subtract, Multiply, Divide, Compare };
  Kind kind = Kind::Number;
  double number = 0;
  size_t axis = 0;
  size_t op = 0;  // Compare: index into kOps
  std::unique_ptr<Node> left, right;

  double value(const std::vector<double>& values) const {
    switch (kind) {
      case Kind::Number:
        return number;
      case Kind::Axis:
        return values.at(axis);
      case Kind::Negate:
        return -left->value(values);
      case Kind::Add:
        return left->value(values) + right->value(values);
      case Kind::Subtract:
        return left->value(values) - right->value(values);
      case Kind::Multiply:
        return left->value(values) * right->value(values);
      case Kind::Divide:
        return left->value(values) / right->value(values);
      case Kind::Compare: {
        const double a = left->value(values), b = right->value(values);
        switch (op) {
          case 0:
            return a <= b;
          case 1:
            return a >= b;
          case 2:
            return a == b;
          case 3:
            return a != b;
          case 4:
            return a < b;
          default:
            return a > b;
        }
      }
    }
    return 0;
  }
};

namespace {

using Node = Constraint::Node;

// Recursive descent over the text; `pos_` is the next unread character.
class Parser {
 public:
  Parser(std::string_view text, const std::vector<std::string>& names,
         const std::vector<bool>& numeric, SourceLocation where)
      : text_(text), names_(names), numeric_(numeric), where_(std::move(where)) {}

  std::unique_ptr<Node> constraint() {
    auto left = sum();
    skip_space();
    // Two-character operators first, so that "<=" is not read as "<".
    static constexpr std::string_view kOps[] = {"<=", ">=", "==", "!=", "<", ">"};
    size_t op = std::size(kOps);
    for (size_t k = 0; k < std::size(kOps); ++k) {
      if (text_.substr(pos_).starts_with(kOps[k])) {
        op = k;
        break;
      }
    }
    if (op == std::size(kOps)) fail("expected a comparison (<, <=, >, >=, ==, !=)");
    pos_ += kOps[op].size();
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::Compare;
    node->op = op;
    node->left = std::move(left);
    node->right = sum();
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the comparison");
    return node;
  }

 private:
  static std::unique_ptr<Node> binary(Node::Kind kind, std::unique_ptr<Node> left,
                                      std::unique_ptr<Node> right) {
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->left = std::move(left);
    node->right = std::move(right);
    return node;
  }

  struct BinaryOperator {
    char symbol;
    Node::Kind kind;
  };

  // operand (op operand)*, grouped from the left, with op one of `first` and `second`.
  std::unique_ptr<Node> left_associative(std::unique_ptr<Node> (Parser::*operand)(),
                                         BinaryOperator first, BinaryOperator second) {
    auto left = (this->*operand)();
    for (;;) {
      skip_space();
      const BinaryOperator* op = peek(first.symbol)    ? &first
                                 : peek(second.symbol) ? &second
                                                       : nullptr;
      if (op == nullptr) return left;
      ++pos_;
      left = binary(op->kind, std::move(left), (this->*operand)());
    }
  }

  std::unique_ptr<Node> sum() {
    return left_associative(&Parser::product, {'+', Node::Kind::Add}, {'-', Node::Kind::Subtract});
  }

  std::unique_ptr<Node> product() {
    return left_associative(&Parser::unary, {'*', Node::Kind::Multiply}, {'/', Node::Kind::Divide});
  }

  std::unique_ptr<Node> unary() {
    skip_space();
    if (pos_ >= text_.size()) fail("expected a number, an axis name or '('");
    const char c = text_[pos_];
    if (c == '-' || c == '(') {
      // Each nesting is a few stack frames here and one level of the tree.
      if (++depth_ > kMaxConstraintDepth) {
        fail(fmt::format("nested deeper than {} parentheses and signs", kMaxConstraintDepth));
      }
      ++pos_;
      std::unique_ptr<Node> node;
      if (c == '-') {
        node = std::make_unique<Node>();
        node->kind = Node::Kind::Negate;
        node->left = unary();
      } else {
        node = sum();
        skip_space();
        if (!peek(')')) fail("expected ')'");
        ++pos_;
      }
      --depth_;
      return node;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      const std::string rest(text_.substr(pos_));
      char* end = nullptr;
      const double x = std::strtod(rest.c_str(), &end);
      if (end == rest.c_str()) fail("malformed number");
      pos_ += static_cast<size_t>(end - rest.c_str());
      auto node = std::make_unique<Node>();
      node->number = x;
      return node;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const size_t start = pos_;
      while (pos_ < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
        ++pos_;
      }
      const std::string name(text_.substr(start, pos_ - start));
      for (size_t i = 0; i < names_.size(); ++i) {
        if (names_[i] != name) continue;
        if (!numeric_[i]) fail_at(start, fmt::format("axis '{}' is not numeric", name));
        auto node = std::make_unique<Node>();
        node->kind = Node::Kind::Axis;
        node->axis = i;
        return node;
      }
      std::string known;
      for (const std::string& n : names_)
        known += fmt::format("{}{}", known.empty() ? "" : ", ", n);
      fail_at(start, fmt::format("unknown axis '{}' (axes: {})", name, known));
    }
    fail(fmt::format("unexpected character '{}'", c));
  }

  bool peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  [[noreturn]] void fail(const std::string& message) const { fail_at(pos_, message); }
  [[noreturn]] void fail_at(size_t at, const std::string& message) const {
    SourceLocation where = where_;
    // The column of a plain scalar on one line; quoted scalars start one column later.
    if (where.line > 0) where.column += static_cast<int>(at);
    throw Error(where, fmt::format("constraint '{}': {}.", text_, message));
  }

  std::string_view text_;
  const std::vector<std::string>& names_;
  const std::vector<bool>& numeric_;
  SourceLocation where_;
  size_t pos_ = 0;
  size_t depth_ = 0;  // parentheses and unary minus signs open at pos_
};

}  // namespace

Constraint::Constraint(std::string_view text, const std::vector<std::string>& axis_names,
                       const std::vector<bool>& numeric, const SourceLocation& where)
    : text_(text), where_(where) {
  // A left-associative chain of n operators is a tree n deep, evaluated and destroyed by
  // recursion: the length bounds that depth.
  if (text_.size() > kMaxConstraintLength) {
    throw Error(where, fmt::format("constraint of {} characters: expected at most {}.",
                                   text_.size(), kMaxConstraintLength));
  }
  root_ = Parser(text_, axis_names, numeric, where).constraint();
}

Constraint::~Constraint() = default;
Constraint::Constraint(Constraint&&) noexcept = default;
Constraint& Constraint::operator=(Constraint&&) noexcept = default;

bool Constraint::holds(const std::vector<double>& values) const {
  return root_->value(values) != 0;
}

}  // namespace gpumarket
