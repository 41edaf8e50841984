#include "theme.hpp"

#include <QApplication>
#include <QFont>
#include <QPalette>
#include <QStyleFactory>

namespace deploysim::gui {

Theme make_theme(bool high_contrast) {
  Theme theme;
  theme.high_contrast = high_contrast;
  if (high_contrast) {
    theme.background = QColor("#000000");
    theme.panel = QColor("#101010");
    theme.text = QColor("#ffffff");
    theme.muted = QColor("#d0d0d0");
    theme.tile_outline = QColor("#ffffff");
    theme.misbehaving = QColor("#ff3030");
    theme.flag = QColor("#ffff00");
    theme.versions = {QColor("#56b4e9"), QColor("#00e0a0"), QColor("#ffb000"),
                      QColor("#ff79c6"), QColor("#c0c0ff"), QColor("#ffffff")};
  } else {
    theme.background = QColor("#f7f7f5");
    theme.panel = QColor("#ffffff");
    theme.text = QColor("#1a1a1a");
    theme.muted = QColor("#5a5a5a");
    theme.tile_outline = QColor("#303030");
    theme.misbehaving = QColor("#d62728");
    theme.flag = QColor("#f0e442");
    theme.versions = {QColor("#0072b2"), QColor("#009e73"), QColor("#e69f00"),
                      QColor("#cc79a7"), QColor("#56b4e9"), QColor("#7f7f7f")};
  }
  return theme;
}

void apply_theme(QApplication& app, const Theme& theme, double text_scale) {
  // Fusion draws the same on every platform (and offscreen), so screenshots match the room.
  static const double base_point_size =
      app.font().pointSizeF() > 0 ? app.font().pointSizeF() : 10.0;
  app.setStyle(QStyleFactory::create("Fusion"));
  QPalette palette;
  palette.setColor(QPalette::Window, theme.background);
  palette.setColor(QPalette::WindowText, theme.text);
  palette.setColor(QPalette::Base, theme.panel);
  palette.setColor(QPalette::AlternateBase, theme.background);
  palette.setColor(QPalette::Text, theme.text);
  palette.setColor(QPalette::Button, theme.high_contrast ? QColor("#202020") : QColor("#e8e8e6"));
  palette.setColor(QPalette::ButtonText, theme.text);
  palette.setColor(QPalette::ToolTipBase, theme.panel);
  palette.setColor(QPalette::ToolTipText, theme.text);
  palette.setColor(QPalette::Highlight,
                   theme.high_contrast ? QColor("#ffff00") : QColor("#0072b2"));
  palette.setColor(QPalette::HighlightedText,
                   theme.high_contrast ? QColor("#000000") : QColor("#ffffff"));
  palette.setColor(QPalette::PlaceholderText, theme.muted);
  app.setPalette(palette);
  QFont font = app.font();
  font.setPointSizeF(base_point_size * text_scale);
  app.setFont(font);
}

}  // namespace deploysim::gui
