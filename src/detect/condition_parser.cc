// Grammar of a Sigma condition (keywords are case-insensitive; precedence from loosest:
// or, and, not, "x of", parentheses):
//
//   condition  = or_expr EOF ;
//   or_expr    = and_expr { "or" and_expr } ;
//   and_expr   = not_expr { "and" not_expr } ;
//   not_expr   = "not" not_expr | primary ;
//   primary    = "(" or_expr ")" | quantifier "of" target | identifier ;
//   quantifier = "1" | "any" | "all" ;
//   target     = "them" | pattern ;
//   identifier = ident_char { ident_char } ;      (* a search identifier *)
//   pattern    = { ident_char | "*" }+ ;          (* "*" matches any run of characters *)
//   ident_char = letter | digit | "_" | "-" | "." ;
//
// A "|" anywhere (legacy aggregations: "sel | count() by x > 5", "a | near b") is unsupported.
#include "detect/condition_parser.h"

#include <cctype>

namespace cloudward::detect {
namespace {

struct Token {
  enum class Kind { kWord, kLParen, kRParen, kEnd } kind;
  std::string text;
  size_t column;
};

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
         c == '*' || c == '?';
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<ConditionNode> Parse() {
    auto node = ParseOr();
    if (!node) return node;
    if (Peek().kind != Token::Kind::kEnd) return Error("unexpected '" + Peek().text + "'");
    return node;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  bool PeekKeyword(std::string_view keyword) const {
    return Peek().kind == Token::Kind::kWord && EqualsNoCase(Peek().text, keyword);
  }
  tl::unexpected<cloudward::Error> Error(const std::string& what) const {
    return Fail(ErrorCode::kMalformed,
                "condition: " + what + " at column " + std::to_string(Peek().column + 1));
  }

  Result<ConditionNode> ParseOr() {
    auto left = ParseAnd();
    if (!left) return left;
    if (!PeekKeyword("or")) return left;
    ConditionNode node{ConditionNode::Kind::kOr, "", {std::move(*left)}};
    while (PeekKeyword("or")) {
      ++pos_;
      auto right = ParseAnd();
      if (!right) return right;
      node.children.push_back(std::move(*right));
    }
    return node;
  }

  Result<ConditionNode> ParseAnd() {
    auto left = ParseNot();
    if (!left) return left;
    if (!PeekKeyword("and")) return left;
    ConditionNode node{ConditionNode::Kind::kAnd, "", {std::move(*left)}};
    while (PeekKeyword("and")) {
      ++pos_;
      auto right = ParseNot();
      if (!right) return right;
      node.children.push_back(std::move(*right));
    }
    return node;
  }

  Result<ConditionNode> ParseNot() {
    if (PeekKeyword("not")) {
      ++pos_;
      if (++depth_ > kMaxDepth) return Error("nested more than " + std::to_string(kMaxDepth) + " levels deep");
      auto inner = ParseNot();
      --depth_;
      if (!inner) return inner;
      return ConditionNode{ConditionNode::Kind::kNot, "", {std::move(*inner)}};
    }
    return ParsePrimary();
  }

  Result<ConditionNode> ParsePrimary() {
    const Token& t = Peek();
    if (t.kind == Token::Kind::kLParen) {
      ++pos_;
      if (++depth_ > kMaxDepth) return Error("nested more than " + std::to_string(kMaxDepth) + " levels deep");
      auto inner = ParseOr();
      --depth_;
      if (!inner) return inner;
      if (Peek().kind != Token::Kind::kRParen) return Error("expected ')'");
      ++pos_;
      return inner;
    }
    if (t.kind != Token::Kind::kWord) return Error("expected a search identifier");
    if (EqualsNoCase(t.text, "1") || EqualsNoCase(t.text, "all") || EqualsNoCase(t.text, "any")) {
      if (pos_ + 1 < tokens_.size() && tokens_[pos_ + 1].kind == Token::Kind::kWord &&
          EqualsNoCase(tokens_[pos_ + 1].text, "of")) {
        bool all = EqualsNoCase(t.text, "all");
        pos_ += 2;
        if (Peek().kind != Token::Kind::kWord) return Error("expected a pattern or 'them' after 'of'");
        std::string target = Peek().text;
        if (EqualsNoCase(target, "them")) target = "them";
        ++pos_;
        return ConditionNode{all ? ConditionNode::Kind::kAllOf : ConditionNode::Kind::kOneOf,
                             target, {}};
      }
    }
    for (std::string_view reserved : {"and", "or", "not", "of", "them"}) {
      if (EqualsNoCase(t.text, reserved)) return Error("unexpected keyword '" + t.text + "'");
    }
    if (t.text.find_first_of("*?") != std::string::npos)
      return Error("wildcard in identifier '" + t.text + "' outside '1 of'/'all of'");
    ++pos_;
    return ConditionNode{ConditionNode::Kind::kIdentifier, t.text, {}};
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  // Parentheses and 'not' recurse: a hostile rule must not exhaust the stack.
  static constexpr int kMaxDepth = 64;
  int depth_ = 0;
};

}  // namespace

Result<ConditionNode> ParseCondition(std::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '(') {
      tokens.push_back({Token::Kind::kLParen, "(", i++});
    } else if (c == ')') {
      tokens.push_back({Token::Kind::kRParen, ")", i++});
    } else if (c == '|') {
      return Fail(ErrorCode::kUnsupported,
                  "condition uses a legacy aggregation ('|' at column " + std::to_string(i + 1) +
                      ": '" + std::string(text.substr(i)) +
                      "'); count()/near aggregations are not supported, write a correlation rule");
    } else if (IsWordChar(c)) {
      size_t start = i;
      while (i < text.size() && IsWordChar(text[i])) ++i;
      tokens.push_back({Token::Kind::kWord, std::string(text.substr(start, i - start)), start});
    } else {
      return Fail(ErrorCode::kMalformed, std::string("condition: unexpected character '") + c +
                                             "' at column " + std::to_string(i + 1));
    }
  }
  if (tokens.empty()) return Fail(ErrorCode::kMalformed, "condition is empty");
  tokens.push_back({Token::Kind::kEnd, "end of condition", text.size()});
  return Parser(std::move(tokens)).Parse();
}

std::string ConditionToString(const ConditionNode& node) {
  switch (node.kind) {
    case ConditionNode::Kind::kIdentifier: return node.name;
    case ConditionNode::Kind::kOneOf: return "1 of " + node.name;
    case ConditionNode::Kind::kAllOf: return "all of " + node.name;
    case ConditionNode::Kind::kNot: return "(not " + ConditionToString(node.children[0]) + ")";
    case ConditionNode::Kind::kAnd:
    case ConditionNode::Kind::kOr: {
      std::string out = "(";
      for (size_t i = 0; i < node.children.size(); ++i) {
        if (i) out += node.kind == ConditionNode::Kind::kAnd ? " and " : " or ";
        out += ConditionToString(node.children[i]);
      }
      return out + ")";
    }
  }
  return "";
}

}  // namespace cloudward::detect
