#pragma once
// Files for tests: the whole text of a file, and the bundled scenarios and examples.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace deploysim::testing {

/// The whole content of `path`, byte for byte; "" when it cannot be read.
inline std::string read_file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Every bundled scenario file (scenarios/*.json but the schema), sorted by name.
inline std::vector<std::filesystem::path> bundled_scenario_files() {
  std::vector<std::filesystem::path> files;
  const auto dir = std::filesystem::path(DEPLOYSIM_SOURCE_DIR) / "scenarios";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json" && entry.path().filename() != "schema.json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace deploysim::testing
