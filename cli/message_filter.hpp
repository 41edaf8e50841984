#pragma once
// Standard error carries messages, and a message can quote any value the user gave: an option's
// value, a file name, a key of a file. Rather than cut each at every place that quotes one, every
// word written to standard error passes through this filter, which cuts a word longer than
// kLongWordBytes to its first engine::kExcerptBytes bytes and "…", keeping the closing quote and
// punctuation that ended it. Words are runs of bytes between whitespace, so a path or a quoted
// value of ordinary length passes whole, and nothing already printed is held back longer than
// the word it is in.

#include <cstddef>
#include <iostream>
#include <streambuf>
#include <string>
#include <string_view>

#include "engine/excerpt.hpp"

namespace deploysim::cli {

/// Words up to this many bytes pass whole; a longer one is cut to engine::kExcerptBytes.
inline constexpr std::size_t kLongWordBytes = 120;

class MessageFilter : public std::streambuf {
 public:
  /// Filters what `stream` writes until destroyed, then restores its buffer.
  explicit MessageFilter(std::ostream& stream) : stream_(stream), sink_(stream.rdbuf()) {
    stream_.rdbuf(this);
  }
  MessageFilter(const MessageFilter&) = delete;
  MessageFilter& operator=(const MessageFilter&) = delete;
  ~MessageFilter() override {
    end_word();
    sink_->pubsync();
    stream_.rdbuf(sink_);
  }

 protected:
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) put(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* data, std::streamsize count) override {
    for (std::streamsize i = 0; i < count; ++i) put(data[i]);
    return count;
  }
  // A flush passes on all but the part of a word that may yet be cut.
  int sync() override { return sink_->pubsync(); }

 private:
  static bool is_space(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f';
  }

  // Bytes of the UTF-8 sequence that `lead` starts (1 for ASCII and for stray bytes).
  static std::size_t sequence_length(char lead) {
    const auto byte = static_cast<unsigned char>(lead);
    if (byte >= 0xF0) return 4;
    if (byte >= 0xE0) return 3;
    if (byte >= 0xC0) return 2;
    return 1;
  }

  void put(char c) {
    if (is_space(c)) {
      end_word();
      sink_->sputc(c);
      return;
    }
    ++word_bytes_;
    if (cut_) {
      tail_ += c;
      if (tail_.size() > 3) tail_.erase(0, 1);
    } else if (!holding_ && word_bytes_ - 1 + sequence_length(c) <= engine::kExcerptBytes) {
      sink_->sputc(c);  // within the excerpt: shown whether or not the word is cut
    } else {
      holding_ = true;  // beyond it, or a sequence that would straddle its end: held
      held_ += c;
      if (word_bytes_ > kLongWordBytes) {
        cut_ = true;
        held_.clear();
      }
    }
  }

  void end_word() {
    if (cut_) {
      // The closing quote, colon or semicolon that ended the value still frames the message.
      std::size_t start = tail_.size();
      while (start > 0 &&
             std::string_view("\"')]}:;,.").find(tail_[start - 1]) != std::string_view::npos) {
        --start;
      }
      const std::string punctuation = tail_.substr(start);
      sink_->sputn("…", 3);
      sink_->sputn(punctuation.data(), static_cast<std::streamsize>(punctuation.size()));
    } else if (!held_.empty()) {
      sink_->sputn(held_.data(), static_cast<std::streamsize>(held_.size()));
    }
    held_.clear();
    tail_.clear();
    word_bytes_ = 0;
    holding_ = false;
    cut_ = false;
  }

  std::ostream& stream_;
  std::streambuf* sink_;
  std::string held_;
  std::string tail_;
  std::size_t word_bytes_ = 0;
  bool holding_ = false;
  bool cut_ = false;
};

}  // namespace deploysim::cli
