// ../shared/data, the real public data beside the repository (its MANIFEST.tsv names each
// file's source and licence). It is not part of the repository: tests that read it skip when it
// is absent (SKIP_WITHOUT_SHARED_DATA() at the top of the test).
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace dejima::test {

inline const std::filesystem::path kShared = DEJIMA_SHARED_DATA;

inline bool have_shared_data() { return std::filesystem::is_directory(kShared); }

inline std::string read_shared(const std::string& rel) {
  std::ifstream in(kShared / rel, std::ios::binary);
  EXPECT_TRUE(in) << "missing " << (kShared / rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace dejima::test

#define SKIP_WITHOUT_SHARED_DATA() \
  if (!::dejima::test::have_shared_data()) GTEST_SKIP() << "../shared/data is absent"
