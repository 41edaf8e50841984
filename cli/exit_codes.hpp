#pragma once
// Exit codes shared by every deploysim command (DESIGN.md).

namespace deploysim::cli {

/// Success, or a check with no findings.
inline constexpr int kExitOk = 0;
/// Findings or a failed check at or above the threshold.
inline constexpr int kExitFindings = 1;
/// A usage or input error.
inline constexpr int kExitUsage = 2;

}  // namespace deploysim::cli
