// What the loader tests share: a scenario text with one edit, and the message a load fails
// with.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gpumarket/core/error.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket::testing {

/// `text` with the first occurrence of `from` replaced by `to`; a test failure when `from`
/// is not in it.
inline std::string edited_text(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  if (at == std::string::npos) {
    ADD_FAILURE() << "'" << from << "' is not in the scenario";
  } else {
    text.replace(at, from.size(), to);
  }
  return text;
}

/// The message loading `path` fails with; empty when it loads.
inline std::string load_error(const std::string& path,
                              const std::vector<std::string>& overrides = {}) {
  try {
    load_scenario(path, overrides);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

/// A load's error starts with `location` ("file:line:col", or a "--set ..." override) and
/// says `phrase`.
inline void expect_located_error(const std::string& message, const std::string& location,
                                 const std::string& phrase) {
  EXPECT_EQ(message.rfind(location + ": ", 0), 0u)
      << "expected location " << location << "\n  message: " << message;
  EXPECT_NE(message.find(phrase), std::string::npos)
      << "expected phrase " << phrase << "\n  message: " << message;
}

/// A scenario text that must fail to load as main.yaml: what the case is, where its error is
/// ("main.yaml:line:col") and what it says.
struct BadCase {
  std::string what;
  std::string text;
  std::string location;
  std::string phrase;
};

/// Loads each case as main.yaml in a fresh directory and expects its located error.
inline void expect_bad_cases(const std::vector<BadCase>& cases) {
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.what);
    const TempDir dir;
    dir.write("main.yaml", c.text);
    expect_located_error(load_error((dir / "main.yaml").string()), (dir / c.location).string(),
                         c.phrase);
  }
}

}  // namespace gpumarket::testing
