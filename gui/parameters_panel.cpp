#include "parameters_panel.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QRegularExpressionValidator>
#include <QSlider>
#include <QVBoxLayout>
#include <cmath>

#include "engine/time.hpp"

namespace deploysim::gui {

namespace {

using nlohmann::json;

const std::vector<std::string> kStrategies = {"manual",     "all_at_once", "rolling",
                                              "blue_green", "canary",      "ring"};

// Whether the scenario's trouble is lost money (Knight) rather than failed requests: the kill
// switch and canary analysis then watch the loss rate.
bool loses_money(const json& document) {
  if (!document.contains("behaviours")) return false;
  for (const auto& [name, behaviour] : document["behaviours"].items()) {
    if (behaviour.value("kind", "") == "erroneous_actions") return true;
  }
  return false;
}

std::int64_t deployed_hosts(const json& document) {
  std::int64_t hosts = 0;
  const std::string service =
      document.contains("deployment") ? document["deployment"].value("service", "") : "";
  if (document.contains("fleet")) {
    for (const auto& [name, group] : document["fleet"].items()) {
      if (group.value("service", "") == service) hosts += group.value("hosts", std::int64_t{1});
    }
  }
  return std::max<std::int64_t>(hosts, 1);
}

json watched_metric(const json& document) {
  return loses_money(document) ? json{{"metric", "loss_rate_usd_per_min"}, {"above", 0}}
                               : json{{"metric", "error_rate"}, {"above", 0.05}};
}

std::optional<double> minutes_of(const json& value) {
  if (!value.is_string()) return std::nullopt;
  try {
    return static_cast<double>(engine::parse_duration(value.get<std::string>()).ms()) / 60'000.0;
  } catch (const std::exception&) {
    return std::nullopt;  // a distribution such as "lognormal(20min, 0.5)": not a slider
  }
}

std::string duration_text(double seconds) {
  const auto whole = static_cast<std::int64_t>(std::llround(seconds));
  return whole % 60 == 0 ? std::to_string(whole / 60) + "min" : std::to_string(whole) + "s";
}

}  // namespace

json default_strategy(const std::string& type, const json& document) {
  const auto metric = watched_metric(document);
  if (type == "manual") return {{"type", "manual"}, {"per_host", "10min"}};
  if (type == "rolling") {
    return {{"type", "rolling"},
            {"batch_size", std::max<std::int64_t>(1, deployed_hosts(document) / 4)}};
  }
  if (type == "canary") {
    return {{"type", "canary"},
            {"steps", json::array({{{"set_weight", 25}},
                                   {{"analysis", "5min"}},
                                   {{"set_weight", 50}},
                                   {{"analysis", "5min"}}})},
            {"analysis",
             {{"metric", metric["metric"]}, {"max", metric["above"]}, {"interval", "1min"}}}};
  }
  if (type == "ring") {
    return {{"type", "ring"},
            {"rings", json::array({{{"name", "canary"}, {"percent", 10}, {"bake", "10min"}},
                                   {{"name", "early"}, {"percent", 50}, {"bake", "10min"}},
                                   {{"name", "everyone"}, {"percent", 100}}})}};
  }
  return {{"type", type}};
}

ParametersPanel::ParametersPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  badge_ = new QLabel(tr("● Pending: press Reset to apply"), this);
  badge_->setStyleSheet(
      "QLabel { background: #e69f00; color: black; font-weight: bold; padding: 4px; border-radius: "
      "4px; }");
  badge_->setVisible(false);
  layout->addWidget(badge_);
  controls_ = new QWidget(this);
  form_ = new QFormLayout(controls_);
  layout->addWidget(controls_);

  auto* seed_row = new QHBoxLayout;
  seed_ = new QLineEdit(this);
  seed_->setValidator(new QRegularExpressionValidator(QRegularExpression("[0-9]{1,19}"), seed_));
  seed_->setObjectName("seed");
  auto* new_seed = new QPushButton(tr("New seed"), this);
  seed_row->addWidget(new QLabel(tr("Seed"), this));
  seed_row->addWidget(seed_, 1);
  seed_row->addWidget(new_seed);
  layout->addLayout(seed_row);
  layout->addStretch(1);
  connect(seed_, &QLineEdit::textEdited, this, &ParametersPanel::edited);
  connect(new_seed, &QPushButton::clicked, this, [this] {
    seed_->setText(QString::number(QRandomGenerator::global()->bounded(1, 1'000'000)));
    edited();
  });
}

void ParametersPanel::set_document(const json& document, std::uint64_t seed) {
  applied_ = document;
  working_ = document;
  applied_seed_ = seed;
  seed_->setText(QString::number(seed));
  rebuild();
  edited();
}

std::uint64_t ParametersPanel::seed() const {
  bool ok = false;
  const auto value = seed_->text().toULongLong(&ok);
  return ok ? value : applied_seed_;
}

void ParametersPanel::set_seed(std::uint64_t seed) {
  seed_->setText(QString::number(seed));
  edited();
}

void ParametersPanel::mark_applied() {
  applied_ = working_;
  applied_seed_ = seed();
  edited();
}

bool ParametersPanel::pending() const {
  return working_ != applied_ || seed() != applied_seed_;
}

void ParametersPanel::edited() {
  badge_->setVisible(pending());
  Q_EMIT pending_changed(pending());
}

void ParametersPanel::add_slider(const QString& label, double minimum, double maximum, double step,
                                 double value, const QString& unit,
                                 std::function<void(json&, double)> write) {
  auto* row = new QWidget(controls_);
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* slider = new QSlider(Qt::Horizontal, row);
  const int steps = static_cast<int>(std::lround((maximum - minimum) / step));
  slider->setRange(0, steps);
  slider->setValue(
      static_cast<int>(std::lround((std::clamp(value, minimum, maximum) - minimum) / step)));
  auto* shown = new QLabel(row);
  shown->setMinimumWidth(shown->fontMetrics().horizontalAdvance("0000 min"));
  auto text = [=](int position) {
    const double v = minimum + position * step;
    return QString("%1 %2").arg(v, 0, 'g', 4).arg(unit);
  };
  shown->setText(text(slider->value()));
  layout->addWidget(slider, 1);
  layout->addWidget(shown);
  slider->setObjectName(label);
  form_->addRow(label, row);
  connect(slider, &QSlider::valueChanged, this, [=, this](int position) {
    shown->setText(text(position));
    write(working_, minimum + position * step);
    edited();
  });
}

void ParametersPanel::add_switch(const QString& label, bool on,
                                 std::function<void(json&, bool)> write) {
  auto* box = new QCheckBox(label, controls_);
  box->setChecked(on);
  box->setObjectName(label);
  form_->addRow(box);
  connect(box, &QCheckBox::toggled, this, [=, this](bool checked) {
    write(working_, checked);
    edited();
  });
}

void ParametersPanel::rebuild() {
  while (form_->rowCount() > 0) form_->removeRow(0);
  if (!working_.contains("deployment")) {
    form_->addRow(new QLabel(tr("This scenario has no deployment to vary."), controls_));
  } else {
    auto& deployment = working_["deployment"];
    auto& strategy = deployment["strategy"];
    const std::string type = strategy.value("type", "manual");
    auto* chooser = new QComboBox(controls_);
    chooser->setObjectName("strategy");
    for (const auto& name : kStrategies) chooser->addItem(QString::fromStdString(name));
    chooser->setCurrentText(QString::fromStdString(type));
    form_->addRow(tr("Strategy"), chooser);
    connect(chooser, &QComboBox::currentTextChanged, this, [this](const QString& chosen) {
      const std::string name = chosen.toStdString();
      const auto& original = applied_["deployment"]["strategy"];
      working_["deployment"]["strategy"] =
          original.value("type", "manual") == name ? original : default_strategy(name, working_);
      // Rebuilding deletes the chooser itself: do it once this signal has returned.
      QMetaObject::invokeMethod(
          this,
          [this] {
            rebuild();
            edited();
          },
          Qt::QueuedConnection);
    });

    if (type == "manual") {
      add_slider(tr("Skip probability"), 0.0, 0.5, 0.01, strategy.value("skip_probability", 0.0),
                 "",
                 [](json& d, double v) { d["deployment"]["strategy"]["skip_probability"] = v; });
    } else if (type == "rolling") {
      const double hosts = static_cast<double>(deployed_hosts(working_));
      add_slider(tr("Batch size"), 1.0, std::max(1.0, hosts), 1.0,
                 strategy.value("batch_size", std::max(1.0, hosts / 4)), tr("hosts"),
                 [](json& d, double v) {
                   d["deployment"]["strategy"]["batch_size"] = static_cast<std::int64_t>(v);
                 });
    } else if (type == "canary" && strategy.contains("steps")) {
      for (std::size_t i = 0; i < strategy["steps"].size(); ++i) {
        if (strategy["steps"][i].contains("set_weight")) {
          add_slider(tr("Canary weight"), 1.0, 100.0, 1.0,
                     strategy["steps"][i]["set_weight"].get<double>(), "%", [i](json& d, double v) {
                       d["deployment"]["strategy"]["steps"][i]["set_weight"] = v;
                     });
          break;
        }
      }
    }
    if (working_.contains("people")) {
      for (auto& [person, details] : working_["people"].items()) {
        for (const char* stage : {"acknowledge", "diagnose"}) {
          const auto minutes = details.contains(stage) ? minutes_of(details[stage]) : std::nullopt;
          if (!minutes) continue;
          const std::string key = person;
          const std::string field = stage;
          add_slider(QString("%1: %2").arg(QString::fromStdString(person), tr(stage)), 0.0, 60.0,
                     0.5, *minutes, tr("min"), [key, field](json& d, double v) {
                       d["people"][key][field] = duration_text(v * 60.0);
                     });
        }
      }
    }
    const auto scrape =
        working_.contains("monitoring") && working_["monitoring"].contains("scrape_interval")
            ? minutes_of(working_["monitoring"]["scrape_interval"])
            : std::optional<double>(0.25);
    if (scrape) {
      add_slider(tr("Scrape interval"), 5.0, 300.0, 5.0, *scrape * 60.0, tr("s"),
                 [](json& d, double v) { d["monitoring"]["scrape_interval"] = duration_text(v); });
    }

    add_switch(tr("Pre-flight gate"), deployment.value("preflight_gate", false),
               [](json& d, bool on) { d["deployment"]["preflight_gate"] = on; });
    if (type == "canary") {
      add_switch(tr("Automated rollback"), strategy.value("automated_rollback", true),
                 [](json& d, bool on) { d["deployment"]["strategy"]["automated_rollback"] = on; });
    } else {
      const bool rollback_on = working_.contains("automation") &&
                               working_["automation"].contains("rollback_on") &&
                               !working_["automation"]["rollback_on"].empty();
      add_switch(tr("Automated rollback (on every alert)"), rollback_on, [](json& d, bool on) {
        json names = json::array();
        if (on && d.contains("monitoring") && d["monitoring"].contains("alerts")) {
          for (const auto& alert : d["monitoring"]["alerts"]) names.push_back(alert["name"]);
        }
        d["automation"]["rollback_on"] = names;
      });
    }
  }
  const bool kill_switch =
      working_.contains("automation") && working_["automation"].contains("kill_switch");
  add_switch(tr("Kill switch"), kill_switch, [this](json& d, bool on) {
    if (!on) {
      if (d.contains("automation")) d["automation"].erase("kill_switch");
      return;
    }
    const bool had =
        applied_.contains("automation") && applied_["automation"].contains("kill_switch");
    json rule = had ? applied_["automation"]["kill_switch"] : watched_metric(d);
    if (!had) rule["for"] = "1min";
    d["automation"]["kill_switch"] = rule;
  });
}

}  // namespace deploysim::gui
