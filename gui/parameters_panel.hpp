#pragma once
// The parameters panel, generated from the scenario document: a strategy chooser, sliders for
// the numbers a class varies (batch size, canary weight, skip probability, response times,
// scrape interval), switches (pre-flight gate, automated rollback, kill switch) and the seed.
// Edits change a working copy of the document; they take effect on Reset, and until then a
// "pending" badge says so. The panel only edits input: the model reads it like any file.

#include <QWidget>
#include <cstdint>
#include <nlohmann/json.hpp>

class QFormLayout;
class QLabel;
class QLineEdit;

namespace deploysim::gui {

class ParametersPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ParametersPanel(QWidget* parent = nullptr);

  /// Shows the controls for a freshly loaded document; nothing is pending.
  void set_document(const nlohmann::json& document, std::uint64_t seed);
  /// The document with the panel's edits.
  const nlohmann::json& edited_document() const { return working_; }
  std::uint64_t seed() const;
  void set_seed(std::uint64_t seed);
  /// Records the edits as applied (after Reset): the badge goes away.
  void mark_applied();
  bool pending() const;

 Q_SIGNALS:
  void pending_changed(bool pending);

 private:
  void rebuild();
  void edited();
  void add_slider(const QString& label, double minimum, double maximum, double step, double value,
                  const QString& unit, std::function<void(nlohmann::json&, double)> write);
  void add_switch(const QString& label, bool on, std::function<void(nlohmann::json&, bool)> write);

  nlohmann::json applied_;
  nlohmann::json working_;
  std::uint64_t applied_seed_ = 1;
  QFormLayout* form_ = nullptr;
  QWidget* controls_ = nullptr;
  QLineEdit* seed_ = nullptr;
  QLabel* badge_ = nullptr;
};

/// The strategy object used when the chooser switches a document to `type`.
nlohmann::json default_strategy(const std::string& type, const nlohmann::json& document);

}  // namespace deploysim::gui
