#include "delivery/xkcd.hpp"

#include <gtest/gtest.h>

#include <string>

namespace deploysim::delivery {
namespace {

// The comic as drawn (shared/data/incidents.md section 4), row by row; "" is grey.
const char* const kDrawn[9][6] = {
    {"1 day", "2 hours", "30 minutes", "4 minutes", "1 minute", "5 seconds"},
    {"5 days", "12 hours", "2 hours", "21 minutes", "5 minutes", "25 seconds"},
    {"4 weeks", "3 days", "12 hours", "2 hours", "30 minutes", "2 minutes"},
    {"8 weeks", "6 days", "1 day", "4 hours", "1 hour", "5 minutes"},
    {"9 months", "4 weeks", "6 days", "21 hours", "5 hours", "25 minutes"},
    {"", "6 months", "5 weeks", "5 days", "1 day", "2 hours"},
    {"", "10 months", "2 months", "10 days", "2 days", "5 hours"},
    {"", "", "", "2 months", "2 weeks", "1 day"},
    {"", "", "", "", "8 weeks", "5 days"},
};

// The four cells the comic rounds below the formula, with the formula in the comic's unit.
struct Lower {
  std::size_t row, column;
  const char* formula;
  double exact_in_unit;
};
const Lower kLower[] = {
    {2, 2, "15 hours", 15.208},  // 30 s x daily
    {3, 0, "9 weeks", 9.05},     // 1 min x 50/day
    {4, 0, "10 months", 10.42},  // 5 min x 50/day
    {6, 1, "12 months", 12.5},   // 1 h x 5/day
};

const Lower* lower_at(std::size_t row, std::size_t column) {
  for (const auto& l : kLower) {
    if (l.row == row && l.column == column) return &l;
  }
  return nullptr;
}

TEST(Xkcd, FormulaIsFiveYearsTimesFrequencyTimesSaving) {
  // explainxkcd's worked example: weekly x 1 min = 5 x 52 x 1 min = 260 min.
  EXPECT_DOUBLE_EQ(xkcd_break_even_seconds(52.0, 60.0), 260.0 * 60.0);
  EXPECT_EQ(xkcd_amount(260.0 * 60.0).text(), "4 hours");
}

TEST(Xkcd, EveryCellMatchesTheComicExceptTheFourItRoundsLower) {
  for (std::size_t r = 0; r < 9; ++r) {
    for (std::size_t c = 0; c < 6; ++c) {
      const auto cell = xkcd_cell(r, c);
      const std::string drawn = kDrawn[r][c];
      SCOPED_TRACE(std::string(cell.saving.label) + " x " + std::string(cell.frequency.label));
      EXPECT_DOUBLE_EQ(cell.exact_seconds, 5.0 * cell.frequency.per_year * cell.saving.seconds);
      if (drawn.empty()) {
        EXPECT_NE(cell.grey, XkcdGrey::no);
        continue;
      }
      EXPECT_EQ(cell.grey, XkcdGrey::no);
      EXPECT_EQ(cell.comic, drawn);
      // The formula is rendered in the comic's unit for every cell.
      EXPECT_EQ(cell.formula.unit, cell.comic_amount.unit);
      if (const Lower* l = lower_at(r, c)) {
        EXPECT_TRUE(cell.comic_rounds_lower);
        EXPECT_EQ(cell.formula.text(), l->formula);
        EXPECT_NEAR(cell.exact_in_comic_unit, l->exact_in_unit, 0.01);
        EXPECT_LT(cell.comic_amount.count, cell.formula.count);
      } else {
        EXPECT_FALSE(cell.comic_rounds_lower);
        EXPECT_EQ(cell.formula.text(), drawn);
      }
    }
  }
}

TEST(Xkcd, ImpossibleCellsAreThoseSavingADayOrMorePerDay) {
  int impossible = 0;
  int comic_only = 0;
  for (std::size_t r = 0; r < 9; ++r) {
    for (std::size_t c = 0; c < 6; ++c) {
      const auto cell = xkcd_cell(r, c);
      if (cell.grey == XkcdGrey::impossible) ++impossible;
      if (cell.grey == XkcdGrey::comic_only) ++comic_only;
    }
  }
  EXPECT_EQ(impossible, 7);
  EXPECT_EQ(comic_only, 2);
  // The two the comic greys although they are possible.
  EXPECT_EQ(xkcd_cell(7, 2).grey, XkcdGrey::comic_only);  // 6 h x daily: 456 days
  EXPECT_NEAR(xkcd_cell(7, 2).exact_seconds / 86'400.0, 456.25, 1e-9);
  EXPECT_EQ(xkcd_cell(8, 3).grey, XkcdGrey::comic_only);  // 1 day x weekly: 260 days
  EXPECT_NEAR(xkcd_cell(8, 3).exact_seconds / 86'400.0, 260.0, 1e-9);
  EXPECT_EQ(xkcd_cell(5, 0).grey, XkcdGrey::impossible);  // 30 min x 50/day = 25 h a day
  EXPECT_EQ(xkcd_cell(8, 2).grey, XkcdGrey::impossible);  // 1 day x daily
}

TEST(Xkcd, UnitsAndSingulars) {
  EXPECT_EQ(xkcd_amount(59.9).text(), "59 seconds");
  EXPECT_EQ(xkcd_amount(60.0).text(), "1 minute");
  EXPECT_EQ(xkcd_amount(13.9 * 86'400.0).text(), "13 days");
  EXPECT_EQ(xkcd_amount(14.0 * 86'400.0).text(), "2 weeks");
  EXPECT_EQ(xkcd_amount(63.4 * 86'400.0).text(), "9 weeks");
  EXPECT_EQ(xkcd_amount(65.0 * 86'400.0).text(), "2 months");
}

}  // namespace
}  // namespace deploysim::delivery
