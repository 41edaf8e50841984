#include "fleet_view.hpp"

#include <QFontMetrics>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <array>
#include <cmath>

#include "model/fleet.hpp"

namespace deploysim::gui {

namespace {

constexpr int kMaxTile = 150;
// Below this a tile cannot carry its marks legibly; several hosts then share one tile.
constexpr int kMinTile = 7;

bool out_of_rotation(std::uint8_t health) {
  const auto h = static_cast<model::Health>(health);
  return h == model::Health::draining || h == model::Health::out_of_rotation;
}

}  // namespace

namespace {

// Legend entries: versions (index >= 0) with their host counts, then the marks (negative): those
// always shown, then the states a host can be down in, each while some host is in it.
enum Mark {
  kMisbehaving = -1,
  kFlag = -2,
  kResting = -3,
  kAdded = -4,
  kCrashed = -5,
  kHalted = -6,
  kStarting = -7,
  kUnreachable = -8
};

constexpr std::array<std::pair<model::Health, Mark>, 4> kDownStates = {{
    {model::Health::crashed, kCrashed},
    {model::Health::halted, kHalted},
    {model::Health::starting, kStarting},
    {model::Health::unreachable, kUnreachable},
}};

QString down_state_name(Mark mark) {
  switch (mark) {
    case kCrashed:
      return QObject::tr("crashed");
    case kHalted:
      return QObject::tr("halted");
    case kStarting:
      return QObject::tr("starting");
    default:
      return QObject::tr("unreachable");
  }
}

std::vector<std::pair<int, QString>> legend_entries(const FleetCatalog& catalog,
                                                    const std::vector<std::int64_t>& per_version,
                                                    const DownCounts& down) {
  std::vector<std::pair<int, QString>> entries;
  for (std::size_t v = 0; v < catalog.version_names.size(); ++v) {
    if (per_version[v] == 0) continue;
    entries.emplace_back(
        static_cast<int>(v),
        QString("%1 %2").arg(QString::fromStdString(catalog.version_names[v])).arg(per_version[v]));
  }
  entries.emplace_back(kMisbehaving, QObject::tr("misbehaving"));
  entries.emplace_back(kFlag, QObject::tr("flag on"));
  entries.emplace_back(kResting, QObject::tr("out of rotation"));
  if (catalog.host_names.size() > catalog.initial_hosts) {
    entries.emplace_back(kAdded, QObject::tr("added"));
  }
  for (std::size_t i = 0; i < kDownStates.size(); ++i) {
    if (down[i] == 0) continue;
    const Mark mark = kDownStates[i].second;
    entries.emplace_back(mark, QString("%1 %2").arg(down_state_name(mark)).arg(down[i]));
  }
  return entries;
}

// The mark of a host down in `state` (crashed, halted, starting, unreachable) over its tile.
void draw_down_mark(QPainter& painter, const QRect& cell, Mark state, const Theme& theme) {
  const int inner = cell.width();
  QColor dim = theme.background;
  dim.setAlpha(150);
  switch (state) {
    case kCrashed:
      painter.setPen(QPen(Qt::black, std::max(1, inner / 8)));
      painter.drawLine(cell.topLeft(), cell.bottomRight());
      painter.drawLine(cell.topRight(), cell.bottomLeft());
      break;
    case kHalted: {
      // Stopped: dimmed, with a pause sign where there is room for it.
      painter.fillRect(cell, dim);
      if (inner < 9) break;
      const int bar = std::max(2, inner / 14);
      const int tall = std::max(5, inner / 4);
      const QRect left(cell.center().x() - bar - bar / 2, cell.center().y() - tall / 2, bar, tall);
      painter.fillRect(left, theme.text);
      painter.fillRect(left.translated(bar * 2, 0), theme.text);
      break;
    }
    case kStarting:
      painter.fillRect(cell, QBrush(theme.background, Qt::FDiagPattern));
      break;
    default:
      // Running but cut off from its callers: dimmed, with a broken outline.
      painter.fillRect(cell, dim);
      painter.setPen(QPen(theme.text, std::max(1, inner / 10), Qt::DashLine));
      painter.drawRect(cell.adjusted(0, 0, -1, -1));
      break;
  }
}

std::optional<Mark> down_mark(std::uint8_t health) {
  for (const auto& [state, mark] : kDownStates) {
    if (static_cast<model::Health>(health) == state) return mark;
  }
  return std::nullopt;
}

// Lines the legend takes in `width`: it wraps rather than running off the side.
int legend_lines(const std::vector<std::pair<int, QString>>& entries, const QFontMetrics& metrics,
                 int swatch, int width) {
  int lines = 1, x = 0;
  for (const auto& [kind, label] : entries) {
    const int entry = swatch + 5 + metrics.horizontalAdvance(label) + 18;
    if (x > 0 && x + entry > width) {
      ++lines;
      x = 0;
    }
    x += entry;
  }
  return lines;
}

}  // namespace

QString health_text(std::uint8_t health) {
  return QString::fromStdString(
      std::string(model::health_name(static_cast<model::Health>(health))));
}

void FleetPainter::layout(const Snapshot& snapshot, QRect area, const QFont& font) {
  const int font_height = QFontMetrics(font).height();
  // Slots only for hosts that exist now: a pod removed by a scale-down leaves no empty slot.
  std::vector<std::vector<std::uint32_t>> live;
  if (snapshot.catalog) {
    live.resize(snapshot.catalog->group_hosts.size());
    for (std::size_t g = 0; g < live.size(); ++g) {
      for (const std::uint32_t h : snapshot.catalog->group_hosts[g]) {
        if (h < snapshot.hosts.size() &&
            static_cast<model::Health>(snapshot.hosts[h].health) != model::Health::terminated) {
          live[g].push_back(h);
        }
      }
    }
  }
  // The legend names a down state only while some host is in it: its lines can change.
  DownCounts present{};
  for (std::size_t i = 0; i < present.size(); ++i) present[i] = down_counts(snapshot)[i] > 0;
  if (area == area_ && snapshot.catalog == laid_out_for_ && font_height == font_height_ &&
      live == live_ && present == down_present_) {
    return;
  }
  area_ = area;
  laid_out_for_ = snapshot.catalog;
  live_ = std::move(live);
  down_present_ = present;
  sections_.clear();
  if (!snapshot.catalog) return;
  const auto& catalog = *snapshot.catalog;
  font_height_ = font_height;
  {
    // Room for the legend at the widest counts it can show, plus the aggregation note.
    std::vector<std::int64_t> widest(catalog.version_names.size(),
                                     static_cast<std::int64_t>(catalog.host_names.size()));
    DownCounts widest_down{};
    for (std::size_t i = 0; i < widest_down.size(); ++i) {
      widest_down[i] = present[i] * static_cast<std::int64_t>(catalog.host_names.size());
    }
    auto entries = legend_entries(catalog, widest, widest_down);
    entries.emplace_back(0, QObject::tr("1 tile = %1 hosts").arg(catalog.host_names.size()));
    legend_height_ = legend_lines(entries, QFontMetrics(font), font_height_ - 4, area.width()) *
                         (font_height_ + 4) +
                     6;
  }
  const int header = font_height_ + 6;
  const int width = std::max(1, area.width());
  const int height = std::max(1, area.height() - legend_height_);

  auto fits = [&](int tile, int per_tile) {
    const int columns = std::max(1, width / tile);
    std::int64_t needed = 0;
    for (const auto& hosts : live_) {
      const std::int64_t tiles =
          (static_cast<std::int64_t>(hosts.size()) + per_tile - 1) / per_tile;
      needed += header + (tiles + columns - 1) / columns * tile;
    }
    return needed <= height;
  };
  tile_ = kMinTile;
  hosts_per_tile_ = 1;
  bool found = false;
  for (int per_tile = 1; !found; per_tile = std::max(per_tile + 1, per_tile * 5 / 4)) {
    for (int tile = kMaxTile; tile >= kMinTile; --tile) {
      if (fits(tile, per_tile)) {
        tile_ = tile;
        hosts_per_tile_ = per_tile;
        found = true;
        break;
      }
    }
    // Too many groups for the area even at one tile each: draw what fits.
    if (per_tile > 1'000'000) break;
  }
  gap_ = tile_ >= 24 ? 4 : (tile_ >= 10 ? 2 : 1);
  const int columns = std::max(1, width / tile_);
  int y = area.top() + legend_height_;
  for (std::size_t g = 0; g < live_.size(); ++g) {
    const auto tiles = (static_cast<int>(live_[g].size()) + hosts_per_tile_ - 1) / hosts_per_tile_;
    const int rows = (tiles + columns - 1) / columns;
    Section section;
    section.group = g;
    section.header = QRect(area.left(), y, width, header);
    section.grid = QRect(area.left(), y + header, columns * tile_, rows * tile_);
    section.columns = columns;
    sections_.push_back(section);
    y += header + rows * tile_;
  }
}

void FleetPainter::paint_legend(QPainter& painter, const FleetCatalog& catalog,
                                const std::vector<std::int64_t>& per_version,
                                const DownCounts& down, const Theme& theme) const {
  const QFontMetrics metrics(painter.font());
  const int swatch = font_height_ - 4;
  const int line = font_height_ + 4;
  int x = area_.left();
  int y = area_.top() + 4;
  for (const auto& [kind, label] : legend_entries(catalog, per_version, down)) {
    const int entry = swatch + 5 + metrics.horizontalAdvance(label) + 18;
    if (x > area_.left() && x + entry > area_.right()) {
      x = area_.left();
      y += line;
    }
    const QRect box(x, y + 2, swatch, swatch);
    if (kind >= 0) {
      painter.fillRect(box, theme.version_color(static_cast<std::size_t>(kind)));
    } else if (kind == kMisbehaving) {
      painter.setPen(QPen(theme.misbehaving, 3));
      painter.drawRect(box);
    } else if (kind == kFlag) {
      painter.setBrush(theme.flag);
      painter.setPen(QPen(Qt::black, 1));
      painter.drawEllipse(box.adjusted(1, 1, -1, -1));
      painter.setBrush(Qt::NoBrush);
    } else if (kind == kResting) {
      painter.fillRect(box, QBrush(theme.muted, Qt::BDiagPattern));
    } else if (kind <= kCrashed) {
      painter.fillRect(box, theme.muted);
      draw_down_mark(painter, box, static_cast<Mark>(kind), theme);
    } else {
      painter.setPen(Qt::NoPen);
      painter.setBrush(theme.text);
      painter.drawPolygon(QPolygon({box.bottomLeft(), box.topLeft() + QPoint(0, swatch / 2),
                                    box.bottomLeft() + QPoint(swatch / 2, 0)}));
      painter.setBrush(Qt::NoBrush);
    }
    painter.setPen(theme.text);
    painter.drawText(QPoint(x + swatch + 5, y + metrics.ascent()), label);
    x += entry;
  }
  if (hosts_per_tile_ > 1) {
    const QString note = QObject::tr("1 tile = %1 hosts").arg(hosts_per_tile_);
    const int note_x = area_.right() - metrics.horizontalAdvance(note);
    // On the last legend line if it has room, else on a line of its own was reserved.
    painter.drawText(QPoint(note_x, area_.top() + legend_height_ - 6 - line + metrics.ascent()),
                     note);
  }
}

void FleetPainter::paint(QPainter& painter, const Snapshot& snapshot, const Theme& theme) {
  if (!snapshot.catalog) return;
  const auto& catalog = *snapshot.catalog;
  painter.fillRect(area_, theme.background);

  std::vector<std::int64_t> per_version(catalog.version_names.size(), 0);
  for (const auto& host : snapshot.hosts) {
    if (static_cast<model::Health>(host.health) != model::Health::terminated)
      ++per_version[host.version];
  }
  paint_legend(painter, catalog, per_version, down_counts(snapshot), theme);

  std::vector<int> votes(catalog.version_names.size(), 0);
  const int inner = tile_ - gap_;
  const bool labelled = hosts_per_tile_ == 1 && inner >= 60;
  const QFont normal = painter.font();
  QFont small = normal;
  small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.8));
  for (const auto& section : sections_) {
    const auto& hosts = live_[section.group];
    painter.setPen(theme.text);
    painter.drawText(section.header.adjusted(0, 0, 0, -4), Qt::AlignLeft | Qt::AlignBottom,
                     group_heading(catalog, section.group));
    const int tiles = (static_cast<int>(hosts.size()) + hosts_per_tile_ - 1) / hosts_per_tile_;
    for (int t = 0; t < tiles; ++t) {
      const std::size_t first =
          static_cast<std::size_t>(t) * static_cast<std::size_t>(hosts_per_tile_);
      const std::size_t last =
          std::min(hosts.size(), first + static_cast<std::size_t>(hosts_per_tile_));
      // A tile's state: one host's, or the majority version and any trouble among several (the
      // gravest down state first: crashed, halted, starting, unreachable). Only hosts that exist
      // now are laid out.
      std::size_t version = 0;
      bool misbehaving = false, resting = false, flag = false, added = false;
      std::optional<Mark> down;
      std::fill(votes.begin(), votes.end(), 0);
      for (std::size_t i = first; i < last; ++i) {
        const HostTile& host = snapshot.hosts[hosts[i]];
        ++votes[host.version];
        added = added || hosts[i] >= catalog.initial_hosts;
        misbehaving = misbehaving || host.misbehaving;
        resting = resting || out_of_rotation(host.health);
        flag = flag || host.flags_on != 0;
        const auto mark = down_mark(host.health);
        // Marks are negative, the gravest the nearest zero.
        if (mark && (!down || *mark > *down)) down = mark;
      }
      version =
          static_cast<std::size_t>(std::max_element(votes.begin(), votes.end()) - votes.begin());
      const QRect cell(section.grid.left() + (t % section.columns) * tile_,
                       section.grid.top() + (t / section.columns) * tile_, inner, inner);
      painter.fillRect(cell, theme.version_color(version));
      if (resting) painter.fillRect(cell, QBrush(theme.background, Qt::BDiagPattern));
      if (down) draw_down_mark(painter, cell, *down, theme);
      if (misbehaving) {
        const int frame = std::max(1, inner / 7);
        painter.setPen(QPen(theme.misbehaving, frame, Qt::SolidLine, Qt::SquareCap, Qt::MiterJoin));
        painter.drawRect(cell.adjusted(frame / 2, frame / 2, -(frame + 1) / 2, -(frame + 1) / 2));
      }
      if (flag && inner >= 10) {
        const int dot = std::max(4, inner / 5);
        painter.setPen(QPen(Qt::black, 1));
        painter.setBrush(theme.flag);
        painter.drawEllipse(
            QRect(cell.right() - dot - inner / 10, cell.top() + inner / 10, dot, dot));
        painter.setBrush(Qt::NoBrush);
      }
      if (labelled) {
        painter.setFont(small);
        painter.setPen(Qt::white);
        painter.drawText(cell.adjusted(4, 0, -4, -4), Qt::AlignHCenter | Qt::AlignBottom,
                         QString::fromStdString(catalog.host_names[hosts[first]]));
        if (misbehaving) {
          QFont mark = small;
          mark.setBold(true);
          mark.setPointSizeF(small.pointSizeF() * 2.2);
          painter.setFont(mark);
          painter.drawText(cell, Qt::AlignCenter, "!");
        }
        painter.setFont(normal);
      }
      if (added && inner >= 8) {
        // A corner notch: this pod was added during the run.
        const int notch = std::max(4, inner / 4);
        painter.setPen(Qt::NoPen);
        painter.setBrush(theme.text);
        painter.drawPolygon(QPolygon({cell.bottomLeft(), cell.bottomLeft() - QPoint(0, notch),
                                      cell.bottomLeft() + QPoint(notch, 0)}));
        painter.setBrush(Qt::NoBrush);
      }
      if (highlighted &&
          std::find(hosts.begin() + static_cast<std::ptrdiff_t>(first),
                    hosts.begin() + static_cast<std::ptrdiff_t>(last),
                    *highlighted) != hosts.begin() + static_cast<std::ptrdiff_t>(last)) {
        painter.setPen(QPen(theme.text, 2, Qt::DashLine));
        painter.drawRect(cell.adjusted(-1, -1, 0, 0));
      }
    }
  }
}

DownCounts FleetPainter::down_counts(const Snapshot& snapshot) {
  DownCounts counts{};
  for (const auto& host : snapshot.hosts) {
    for (std::size_t i = 0; i < kDownStates.size(); ++i) {
      if (static_cast<model::Health>(host.health) == kDownStates[i].first) ++counts[i];
    }
  }
  return counts;
}

QString FleetPainter::group_heading(const FleetCatalog& catalog, std::size_t group) const {
  // The same count as the header's: hosts that exist now. Pods that came and went say so.
  const auto& all = catalog.group_hosts[group];
  const auto added = std::count_if(all.begin(), all.end(),
                                   [&](std::uint32_t h) { return h >= catalog.initial_hosts; });
  const auto added_live =
      std::count_if(live_[group].begin(), live_[group].end(),
                    [&](std::uint32_t h) { return h >= catalog.initial_hosts; });
  const auto removed = static_cast<std::int64_t>(all.size() - live_[group].size());
  QString text = QObject::tr("%1 · %2 hosts")
                     .arg(QString::fromStdString(catalog.group_names[group]))
                     .arg(live_[group].size());
  if (added > 0) text += QObject::tr(" · %1 added").arg(added_live);
  if (removed > 0) text += QObject::tr(" · %1 removed").arg(removed);
  return text;
}

std::int64_t FleetPainter::slots() const {
  std::int64_t count = 0;
  for (const auto& hosts : live_) count += static_cast<std::int64_t>(hosts.size());
  return count;
}

std::optional<std::uint32_t> FleetPainter::host_at(QPoint point) const {
  if (!laid_out_for_) return std::nullopt;
  for (const auto& section : sections_) {
    if (!section.grid.contains(point)) continue;
    const int column = (point.x() - section.grid.left()) / tile_;
    const int row = (point.y() - section.grid.top()) / tile_;
    const auto index = static_cast<std::size_t>(row * section.columns + column) *
                       static_cast<std::size_t>(hosts_per_tile_);
    const auto& hosts = live_[section.group];
    if (column < section.columns && index < hosts.size()) return hosts[index];
  }
  return std::nullopt;
}

FleetView::FleetView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumSize(240, 160);
  setAttribute(Qt::WA_OpaquePaintEvent);
}

void FleetView::set_snapshot(std::shared_ptr<const Snapshot> snapshot) {
  snapshot_ = std::move(snapshot);
  update();
}

void FleetView::set_theme(const Theme& theme) {
  theme_ = theme;
  update();
}

QString FleetView::describe_host(std::uint32_t host) const {
  if (!snapshot_ || !snapshot_->catalog || host >= snapshot_->hosts.size()) return {};
  const auto& catalog = *snapshot_->catalog;
  const HostTile& tile = snapshot_->hosts[host];
  QString text = QString("<b>%1</b><br>version %2<br>%3")
                     .arg(QString::fromStdString(catalog.host_names[host]),
                          QString::fromStdString(catalog.version_names[tile.version]),
                          health_text(tile.health));
  if (tile.misbehaving) text += tr("<br><span style='color:#d62728'><b>misbehaving</b></span>");
  for (std::size_t f = 0; f < catalog.flag_names.size() && f < 32; ++f) {
    text += QString("<br>flag %1 %2")
                .arg(QString::fromStdString(catalog.flag_names[f]),
                     (tile.flags_on >> f) & 1u ? tr("on") : tr("off"));
  }
  return text;
}

void FleetView::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.fillRect(rect(), theme_.background);
  if (!snapshot_) return;
  painter_.layout(*snapshot_, rect().adjusted(6, 2, -6, -4), font());
  painter_.paint(painter, *snapshot_, theme_);
}

void FleetView::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  update();
}

void FleetView::mouseMoveEvent(QMouseEvent* event) {
  const auto host = painter_.host_at(event->position().toPoint());
  if (host) {
    QToolTip::showText(event->globalPosition().toPoint(), describe_host(*host), this);
  } else {
    QToolTip::hideText();
  }
}

void FleetView::mousePressEvent(QMouseEvent* event) {
  if (const auto host = painter_.host_at(event->position().toPoint())) {
    painter_.highlighted = host;
    update();
    Q_EMIT host_clicked(*host);
  }
}

}  // namespace deploysim::gui
