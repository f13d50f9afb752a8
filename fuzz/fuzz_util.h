// What the fuzz targets share: a property check that stops the run like a crash, and the shipped vocabulary,
// loaded once per process.
#ifndef CIRCMATCH_FUZZ_FUZZ_UTIL_H_
#define CIRCMATCH_FUZZ_FUZZ_UTIL_H_

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "circmatch/vocabulary.h"

namespace circmatch::fuzz {

// A property every input must keep: when it does not, prints what broke and aborts, which libFuzzer reports as a
// crash and saves the input.
#define CIRCMATCH_FUZZ_CHECK(condition, message)                                                 \
  do {                                                                                           \
    if (!(condition)) {                                                                          \
      std::fprintf(stderr, "%s:%d: property broken: %s\n  %s\n", __FILE__, __LINE__, #condition, \
                   std::string(message).c_str());                                                \
      std::abort();                                                                              \
    }                                                                                            \
  } while (0)

// The vocabulary of engine/data (CIRCMATCH_VOCABULARY_DIR overrides the folder), loaded on first use; aborts when
// it does not load, since no input could be tested without it.
inline const Vocabulary& SharedVocabulary() {
  static const Vocabulary* const vocabulary = [] {
    const char* dir = std::getenv("CIRCMATCH_VOCABULARY_DIR");
    absl::StatusOr<std::unique_ptr<Vocabulary>> loaded =
        Vocabulary::Load(dir != nullptr ? dir : CIRCMATCH_SOURCE_DATA_DIR);
    if (!loaded.ok()) {
      std::fprintf(stderr, "cannot load the vocabulary: %s\n", loaded.status().ToString().c_str());
      std::abort();
    }
    return loaded->release();
  }();
  return *vocabulary;
}

}  // namespace circmatch::fuzz

#endif  // CIRCMATCH_FUZZ_FUZZ_UTIL_H_
