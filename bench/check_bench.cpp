// `deploysim check` at the size of a large fleet: a manifest and observed inventory of 100,000
// hosts, 50 services (four groups each) and 200 flags, with inconsistencies planted at fixed
// strides so that every rule has findings to build (tests/support/check_fleet.hpp). Each phase
// is timed on its own, then all of them together as the CLI runs them:
//
//   parse_manifest    JSON text -> Manifest (strict parse, typed reading, position index)
//   parse_inventory   JSON text -> Inventory
//   run_check         every rule on the parsed inputs, findings located and sorted
//   report/<format>   writing the findings (text, json, sarif) to a discarding stream
//   end_to_end        parse both, check, write the text report
//
//   check_bench --write-inputs=DIR   writes DIR/manifest.json and DIR/inventory.json and exits,
//                                    for timing the real command (docs/performance.md).

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

#include "check/manifest.hpp"
#include "check/report.hpp"
#include "check/rules.hpp"
#include "check_fleet.hpp"

namespace {

using namespace deploysim::check;

const fixtures::GeneratedFleet& fleet() {
  static const fixtures::GeneratedFleet generated = fixtures::generate_check_fleet({});
  return generated;
}

// Counts what is written and keeps none of it, so that report timings exclude the terminal.
class NullBuffer : public std::streambuf {
 public:
  std::size_t written = 0;

 protected:
  std::streamsize xsputn(const char*, std::streamsize n) override {
    written += static_cast<std::size_t>(n);
    return n;
  }
  int_type overflow(int_type c) override {
    ++written;
    return traits_type::not_eof(c);
  }
};

void parse_manifest_bench(benchmark::State& state) {
  for (auto _ : state) {
    const Manifest manifest = parse_manifest(fleet().manifest, "manifest.json");
    benchmark::DoNotOptimize(manifest.hosts.size());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * fleet().manifest.size()));
}
BENCHMARK(parse_manifest_bench)->Name("parse_manifest")->Unit(benchmark::kMillisecond);

void parse_inventory_bench(benchmark::State& state) {
  for (auto _ : state) {
    const Inventory inventory = parse_inventory(fleet().inventory, "inventory.json");
    benchmark::DoNotOptimize(inventory.hosts.size());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * fleet().inventory.size()));
}
BENCHMARK(parse_inventory_bench)->Name("parse_inventory")->Unit(benchmark::kMillisecond);

void run_check_bench(benchmark::State& state) {
  const Manifest manifest = parse_manifest(fleet().manifest, "manifest.json");
  const Inventory inventory = parse_inventory(fleet().inventory, "inventory.json");
  std::size_t findings = 0;
  for (auto _ : state) {
    const CheckResult result = run_check(manifest, &inventory);
    findings = result.findings.size();
  }
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["hosts"] = static_cast<double>(manifest.hosts.size());
}
BENCHMARK(run_check_bench)->Name("run_check")->Unit(benchmark::kMillisecond);

void report_bench(benchmark::State& state, Format format) {
  const Manifest manifest = parse_manifest(fleet().manifest, "manifest.json");
  const Inventory inventory = parse_inventory(fleet().inventory, "inventory.json");
  const CheckResult result = run_check(manifest, &inventory);
  ReportContext context;
  context.exit_code = 1;
  NullBuffer sink;
  std::ostream out(&sink);
  for (auto _ : state) write_report(out, format, result, context);
  state.SetBytesProcessed(static_cast<std::int64_t>(sink.written));
}
BENCHMARK_CAPTURE(report_bench, text, Format::text)
    ->Name("report/text")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(report_bench, json, Format::json)
    ->Name("report/json")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(report_bench, sarif, Format::sarif)
    ->Name("report/sarif")
    ->Unit(benchmark::kMillisecond);

void end_to_end_bench(benchmark::State& state) {
  NullBuffer sink;
  std::ostream out(&sink);
  ReportContext context;
  context.exit_code = 1;
  for (auto _ : state) {
    const Manifest manifest = parse_manifest(fleet().manifest, "manifest.json");
    const Inventory inventory = parse_inventory(fleet().inventory, "inventory.json");
    const CheckResult result = run_check(manifest, &inventory);
    write_report(out, Format::text, result, context);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(
      state.iterations() * (fleet().manifest.size() + fleet().inventory.size())));
}
BENCHMARK(end_to_end_bench)->Name("end_to_end")->Unit(benchmark::kMillisecond);

int write_inputs(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  for (const auto& [name, text] : {std::pair{"manifest.json", &fleet().manifest},
                                   std::pair{"inventory.json", &fleet().inventory}}) {
    std::ofstream out(dir / name, std::ios::binary);
    out << *text;
    if (!out) {
      std::fprintf(stderr, "check_bench: cannot write %s\n", (dir / name).c_str());
      return 2;
    }
  }
  std::printf("wrote %s/manifest.json (%zu bytes) and inventory.json (%zu bytes)\n", dir.c_str(),
              fleet().manifest.size(), fleet().inventory.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  constexpr std::string_view kWrite = "--write-inputs=";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with(kWrite)) return write_inputs(std::string(arg.substr(kWrite.size())));
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
