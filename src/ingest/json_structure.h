// Byte-level walking of JSON structure without building values: finds where a value ends, where
// an object member starts, and the elements of an array. Used to cut large documents into records
// (with exact byte offsets) before each record is parsed on its own, and to resynchronise after a
// broken record. These functions never validate; they only balance brackets outside strings.
//
// Grammar assumed (RFC 8259, loosely):
//   value  = object | array | string | scalar
//   string = '"' ( any byte but '"' and '\' | '\' any byte )* '"'
//   scalar = bytes up to the next ',', '}', ']' or whitespace
#pragma once

#include <cstddef>
#include <string_view>

namespace cloudward::ingest::json {

inline constexpr size_t kNpos = std::string_view::npos;

inline bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// First index >= pos that is not JSON whitespace (text.size() if none).
size_t SkipSpace(std::string_view text, size_t pos);

// text[pos] == '"'. Returns one past the closing quote, or kNpos if the string is not closed.
size_t SkipString(std::string_view text, size_t pos);

// Returns one past the end of the value starting at text[pos], or kNpos if it does not end
// before the end of text (truncated or unbalanced).
size_t SkipValue(std::string_view text, size_t pos);

// text[pos] == '{'. Returns the start of the value of the top-level member `key` (compared byte
// for byte, without unescaping), or kNpos.
size_t FindMember(std::string_view text, size_t pos, std::string_view key);

// text[pos] == '{'. The key of the object's first member (raw bytes between the quotes), and in
// *value_pos where its value starts. Empty view if there is none.
std::string_view FirstKey(std::string_view text, size_t pos, size_t* value_pos);

// Walks the elements of an array.
//   ArrayWalker walker(text, pos_of_open_bracket);
//   while (walker.Next() == ArrayWalker::kElement) use(walker.begin(), walker.end());
class ArrayWalker {
 public:
  enum Step { kElement, kEnd, kTruncated, kSyntax };

  ArrayWalker(std::string_view text, size_t open_bracket) : text_(text), pos_(open_bracket + 1) {}

  // kElement: [begin(), end()) is the next element. kEnd: the closing ']' was reached (pos() is
  // one past it). kTruncated: an element or the array does not end. kSyntax: junk between
  // elements (pos() is where).
  Step Next();
  // Continues at `pos` as if an element started there (after resynchronising).
  void Resume(size_t pos) { pos_ = pos; first_ = true; }
  // Continues at `pos`, just after an element read by other means (a ',' or ']' comes next).
  void ResumeAfterElement(size_t pos) { pos_ = pos; first_ = false; }

  size_t begin() const { return begin_; }
  size_t end() const { return end_; }
  size_t pos() const { return pos_; }

 private:
  std::string_view text_;
  size_t pos_;
  size_t begin_ = 0, end_ = 0;
  bool first_ = true;
};

}  // namespace cloudward::ingest::json
