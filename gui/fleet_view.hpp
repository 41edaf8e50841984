#pragma once
// The fleet as tiles: one tile per host that exists now (removed pods leave no slot, added ones
// carry a corner notch), grouped by zone/ring/group, colour = version, with
// marks for trouble (red frame: misbehaving; dark cross: crashed; dimmed with a pause sign:
// halted; dimmed with a dashed outline: unreachable; hatching: draining or out of rotation, and
// the other way: starting) and a yellow dot while a flag is on. Drawn with QPainter in one pass,
// not one widget per host; past the point where a tile would be smaller than a few pixels, a tile
// stands for several hosts (the majority version, red if any of them misbehaves).

#include <QRect>
#include <QWidget>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "snapshot.hpp"
#include "theme.hpp"

class QPainter;

namespace deploysim::gui {

/// Hosts down by state, in this order: crashed, halted, starting, unreachable.
using DownCounts = std::array<std::int64_t, 4>;

/// Lays out and paints a snapshot's fleet; no QWidget, so benchmarks can paint into a QImage.
class FleetPainter {
 public:
  /// Lays the fleet out in `area` (recomputed only when the area or the grouping changes).
  void layout(const Snapshot& snapshot, QRect area, const QFont& font);
  void paint(QPainter& painter, const Snapshot& snapshot, const Theme& theme);
  /// The host under a point (the first host of an aggregate tile); nullopt off the tiles.
  std::optional<std::uint32_t> host_at(QPoint point) const;
  /// Hosts per tile: 1, or more past the aggregation threshold.
  int hosts_per_tile() const { return hosts_per_tile_; }
  int tile_size() const { return tile_; }
  /// Hosts drawn as slots: those that exist now (the count in the header).
  std::int64_t slots() const;
  /// "web · 10 hosts · 3 added · 87 removed".
  QString group_heading(const FleetCatalog& catalog, std::size_t group) const;
  /// Hosts crashed, halted, starting and unreachable in `snapshot` (the legend's counts).
  static DownCounts down_counts(const Snapshot& snapshot);
  std::optional<std::uint32_t> highlighted;

 private:
  void paint_legend(QPainter& painter, const FleetCatalog& catalog,
                    const std::vector<std::int64_t>& per_version, const DownCounts& down,
                    const Theme& theme) const;
  struct Section {
    std::size_t group = 0;
    QRect header;
    QRect grid;
    int columns = 1;
  };
  QRect area_;
  // Held, not just compared: a freed catalog's address could be reused by the next one.
  std::shared_ptr<const FleetCatalog> laid_out_for_;
  int font_height_ = 0;
  int tile_ = 8;
  int gap_ = 1;
  int hosts_per_tile_ = 1;
  int legend_height_ = 0;
  std::vector<Section> sections_;
  std::vector<std::vector<std::uint32_t>> live_;  ///< hosts that exist now, by group
  DownCounts down_present_{};                     ///< 1 for each down state the legend names
};

class FleetView : public QWidget {
  Q_OBJECT
 public:
  explicit FleetView(QWidget* parent = nullptr);
  void set_snapshot(std::shared_ptr<const Snapshot> snapshot);
  void set_theme(const Theme& theme);
  /// The text shown for a host on hover and in the inspector.
  QString describe_host(std::uint32_t host) const;
  const FleetPainter& fleet_painter() const { return painter_; }

 Q_SIGNALS:
  void host_clicked(std::uint32_t host);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  std::shared_ptr<const Snapshot> snapshot_;
  Theme theme_ = make_theme(false);
  FleetPainter painter_;
};

/// Health as words ("healthy", "crashed", ...).
QString health_text(std::uint8_t health);

}  // namespace deploysim::gui
