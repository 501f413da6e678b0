#include "ingest/json_structure.h"

#include <cstring>

namespace cloudward::ingest::json {

size_t SkipSpace(std::string_view text, size_t pos) {
  while (pos < text.size() && IsSpace(text[pos])) ++pos;
  return pos;
}

size_t SkipString(std::string_view text, size_t pos) {
  const char* data = text.data();
  size_t i = pos + 1;
  while (i < text.size()) {
    const void* hit = std::memchr(data + i, '"', text.size() - i);
    if (hit == nullptr) return kNpos;
    size_t quote = static_cast<size_t>(static_cast<const char*>(hit) - data);
    size_t backslashes = 0;
    while (quote - backslashes > pos + 1 && data[quote - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return quote + 1;
    i = quote + 1;
  }
  return kNpos;
}

size_t SkipValue(std::string_view text, size_t pos) {
  if (pos >= text.size()) return kNpos;
  char c = text[pos];
  if (c == '"') return SkipString(text, pos);
  if (c != '{' && c != '[') {
    size_t i = pos;
    while (i < text.size()) {
      char d = text[i];
      if (d == ',' || d == '}' || d == ']' || IsSpace(d)) break;
      ++i;
    }
    return i;
  }
  size_t depth = 0;
  size_t i = pos;
  const size_t n = text.size();
  while (i < n) {
    switch (text[i]) {
      case '"': {
        size_t e = SkipString(text, i);
        if (e == kNpos) return kNpos;
        i = e;
        continue;
      }
      case '{':
      case '[':
        ++depth;
        break;
      case '}':
      case ']':
        if (--depth == 0) return i + 1;
        break;
      default:
        break;
    }
    ++i;
  }
  return kNpos;
}

std::string_view FirstKey(std::string_view text, size_t pos, size_t* value_pos) {
  size_t i = SkipSpace(text, pos + 1);
  if (i >= text.size() || text[i] != '"') return {};
  size_t e = SkipString(text, i);
  if (e == kNpos) return {};
  size_t colon = SkipSpace(text, e);
  if (colon >= text.size() || text[colon] != ':') return {};
  *value_pos = SkipSpace(text, colon + 1);
  return text.substr(i + 1, e - i - 2);
}

size_t FindMember(std::string_view text, size_t pos, std::string_view key) {
  size_t i = pos + 1;
  while (true) {
    i = SkipSpace(text, i);
    if (i >= text.size() || text[i] != '"') return kNpos;
    size_t e = SkipString(text, i);
    if (e == kNpos) return kNpos;
    std::string_view name = text.substr(i + 1, e - i - 2);
    i = SkipSpace(text, e);
    if (i >= text.size() || text[i] != ':') return kNpos;
    i = SkipSpace(text, i + 1);
    if (name == key) return i < text.size() ? i : kNpos;
    i = SkipValue(text, i);
    if (i == kNpos) return kNpos;
    i = SkipSpace(text, i);
    if (i >= text.size() || text[i] != ',') return kNpos;
    ++i;
  }
}

ArrayWalker::Step ArrayWalker::Next() {
  size_t i = SkipSpace(text_, pos_);
  if (i >= text_.size()) {
    pos_ = i;
    return kTruncated;
  }
  if (text_[i] == ']') {
    pos_ = i + 1;
    return kEnd;
  }
  if (!first_) {
    if (text_[i] != ',') {
      pos_ = i;
      return kSyntax;
    }
    i = SkipSpace(text_, i + 1);
    if (i >= text_.size()) {
      pos_ = i;
      return kTruncated;
    }
  }
  size_t e = SkipValue(text_, i);
  if (e == kNpos || e == i) {
    pos_ = i;
    return e == i ? kSyntax : kTruncated;
  }
  first_ = false;
  begin_ = i;
  end_ = e;
  pos_ = e;
  return kElement;
}

}  // namespace cloudward::ingest::json
