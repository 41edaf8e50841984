#pragma once
// Colours and text scale: the normal theme and the high-contrast one for projectors. Version
// colours are the Okabe-Ito palette, readable by colour-blind viewers; red is kept for trouble.

#include <QColor>
#include <vector>

class QApplication;

namespace deploysim::gui {

struct Theme {
  bool high_contrast = false;
  QColor background;
  QColor panel;
  QColor text;
  QColor muted;
  QColor tile_outline;
  QColor misbehaving;
  QColor flag;
  std::vector<QColor> versions;

  /// Colour of version index `v` (cycles through the palette).
  QColor version_color(std::size_t v) const { return versions[v % versions.size()]; }
};

Theme make_theme(bool high_contrast);

/// Applies the theme's palette and a text scale (1 = the platform default, up to about 1.8).
void apply_theme(QApplication& app, const Theme& theme, double text_scale);

}  // namespace deploysim::gui
