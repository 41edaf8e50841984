#include "input/utf8.hpp"

#include <atomic>

namespace deploysim::input {
namespace {

std::atomic<std::uint64_t> g_repairs{0};

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
// What sequence_length says of a sequence that the end of the text cuts short.
constexpr int kCut = -1;
// Beyond this many held bytes a filter passes text on without waiting for a flush.
constexpr std::size_t kFilterBuffer = 1 << 16;

// The length of the well-formed sequence that starts `text` (Unicode 15, table 3-7); 0 when the
// first byte starts none, kCut when the text ends inside one that is well-formed so far.
int sequence_length(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  int length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // no overlong forms
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // no overlong forms
    if (lead == 0xF4) high = 0x8F;  // nothing past U+10FFFF
  } else {
    return 0;
  }
  for (int i = 1; i < length; ++i) {
    if (static_cast<std::size_t>(i) >= text.size()) return kCut;
    const unsigned char next = byte(static_cast<std::size_t>(i));
    if (next < (i == 1 ? low : 0x80) || next > (i == 1 ? high : 0xBF)) return 0;
  }
  return length;
}

// Appends the repaired form of `text` to `out`. With `keep_cut`, a sequence cut short by the end
// of the text is not repaired: its length is returned so that the caller can hold it.
std::size_t repair_into(std::string_view text, std::string& out, bool keep_cut, bool& repaired) {
  std::size_t i = 0;
  while (i < text.size()) {
    const int length = sequence_length(text.substr(i));
    if (length == kCut && keep_cut) return text.size() - i;
    if (length > 0) {
      out.append(text.substr(i, static_cast<std::size_t>(length)));
      i += static_cast<std::size_t>(length);
    } else {
      out.append(kReplacement);
      repaired = true;
      ++i;
    }
  }
  return 0;
}

template <class Json>
std::string dump_any(const Json& value, int indent) {
  try {
    return value.dump(indent);
  } catch (const nlohmann::json::type_error& error) {
    if (error.id != 316) throw;
  }
  g_repairs.fetch_add(1, std::memory_order_relaxed);
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const int length = sequence_length(text.substr(i));
    if (length <= 0) return false;
    i += static_cast<std::size_t>(length);
  }
  return true;
}

std::string to_valid_utf8(std::string_view text) {
  if (is_valid_utf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 8);
  bool repaired = false;
  repair_into(text, out, false, repaired);
  g_repairs.fetch_add(1, std::memory_order_relaxed);
  return out;
}

std::string dump_json(const nlohmann::json& value, int indent) {
  return dump_any(value, indent);
}

std::string dump_json(const nlohmann::ordered_json& value, int indent) {
  return dump_any(value, indent);
}

std::uint64_t utf8_repairs() {
  return g_repairs.load(std::memory_order_relaxed);
}

Utf8Filter::Utf8Filter(std::streambuf* sink) : sink_(sink) {}

Utf8Filter::~Utf8Filter() {
  finish();
}

bool Utf8Filter::finish() {
  drain(true);
  if (!failed_ && sink_->pubsync() != 0) failed_ = true;
  return !failed_;
}

Utf8Filter::int_type Utf8Filter::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return sync() == 0 ? 0 : c;
  buffer_.push_back(traits_type::to_char_type(c));
  if (buffer_.size() >= kFilterBuffer && !drain(false)) return traits_type::eof();
  return failed_ ? traits_type::eof() : c;
}

std::streamsize Utf8Filter::xsputn(const char* data, std::streamsize count) {
  buffer_.append(data, static_cast<std::size_t>(count));
  if (buffer_.size() >= kFilterBuffer && !drain(false)) return 0;
  return failed_ ? 0 : count;
}

int Utf8Filter::sync() {
  if (!drain(false)) return -1;
  return sink_->pubsync() == 0 ? 0 : (failed_ = true, -1);
}

bool Utf8Filter::drain(bool final) {
  if (failed_) {
    buffer_.clear();
    return false;
  }
  if (buffer_.empty()) return true;
  std::string out;
  const std::string* pass = &buffer_;
  std::size_t held = 0;
  if (!is_valid_utf8(buffer_)) {
    bool repaired = false;
    out.reserve(buffer_.size() + 8);
    held = repair_into(buffer_, out, !final, repaired);
    if (repaired) g_repairs.fetch_add(1, std::memory_order_relaxed);
    pass = &out;
  }
  const auto size = static_cast<std::streamsize>(pass->size());
  if (sink_->sputn(pass->data(), size) != size) failed_ = true;
  buffer_.erase(0, buffer_.size() - held);
  return !failed_;
}

// Text for XML 1.0 content or attribute values: markup escaped, invalid UTF-8 repaired, and the
// characters XML 1.0 forbids (controls other than tab and newline, U+FFFE, U+FFFF) replaced.
std::string xml_escape(std::string_view raw) {
  const std::string text = input::to_valid_utf8(raw);
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
          out += ' ';
        } else if (text.compare(i, 2, "\xEF\xBF") == 0 && i + 2 < text.size() &&
                   (text[i + 2] == '\xBE' || text[i + 2] == '\xBF')) {
          out += "\xEF\xBF\xBD";  // U+FFFE and U+FFFF are not XML characters
          i += 2;
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace deploysim::input
