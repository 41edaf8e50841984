#include "spec/service_graph.hpp"

#include <gtest/gtest.h>

namespace deploysim::spec {
namespace {

spec::Service service(std::string name, std::vector<std::string> depends_on) {
  spec::Service s;
  s.name = std::move(name);
  for (auto& d : depends_on) s.depends_on.push_back({std::move(d), {}});
  return s;
}

TEST(ServiceGraph, DependenciesComeFirst) {
  const auto order =
      safe_deployment_order({service("web", {"api"}), service("api", {"db", "cache"}),
                             service("db", {}), service("cache", {})});
  auto position = [&](const std::string& name) {
    return std::find(order.begin(), order.end(), name) - order.begin();
  };
  ASSERT_EQ(order.size(), 4u);
  EXPECT_LT(position("db"), position("api"));
  EXPECT_LT(position("cache"), position("api"));
  EXPECT_LT(position("api"), position("web"));
}

TEST(ServiceGraph, CycleIsReportedWithItsPath) {
  try {
    safe_deployment_order(
        {service("a", {"b"}), service("b", {"c"}), service("c", {"a"}), service("d", {})});
    FAIL() << "expected a DependencyCycle";
  } catch (const DependencyCycle& cycle) {
    const std::string message = cycle.what();
    EXPECT_NE(message.find("a -> b -> c -> a"), std::string::npos) << message;
  }
}

TEST(ServiceGraph, SelfDependencyIsACycle) {
  EXPECT_THROW(safe_deployment_order({service("a", {"a"})}), DependencyCycle);
}

TEST(ServiceGraph, DependenciesOnUnlistedServicesAreLeftOut) {
  // The checker orders what a manifest or Kubernetes annotations name, which may include a
  // service it does not describe (found by the YAML fuzzer); that is a finding, not a crash.
  const std::vector<ServiceDependencies> services = {{"web", {"api", "payments"}}, {"api", {}}};
  EXPECT_EQ(safe_deployment_order(services), (std::vector<std::string>{"api", "web"}));
}

}  // namespace
}  // namespace deploysim::spec
