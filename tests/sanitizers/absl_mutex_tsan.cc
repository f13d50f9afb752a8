// ThreadSanitizer cannot see Debian's absl::Mutex: libabsl is not instrumented, and abseil's own TSan
// annotations (ABSL_TSAN_MUTEX_*) are compiled into it only when abseil itself is built with -fsanitize=thread.
// Every lock taken through it would then look like no synchronization at all, and TSan would report each access
// it guards as a race. Linked into every executable of the tsan preset (CMakeLists.txt), this file interposes the
// Mutex and CondVar calls that take or release a lock: each calls abseil's own (dlsym(RTLD_NEXT)) between the
// annotations abseil's TSan build makes, so TSan knows what is held, by whom and in which mode, orders accesses
// by it and checks the lock order. The executable's definitions also win for the calls made inside the
// abseil and gRPC libraries, which call these through the PLT.
//
// Not interposed: the *WithTimeout calls, which Debian's abseil makes by calling *WithDeadline through the PLT
// (so they reach the wrappers below; wrapping both would annotate one wait twice), and ~Mutex: TSan treats a
// destroy as a write, which then races with the last unlock whenever the two are ordered by gRPC's
// uninstrumented code alone.
// Limits: the Await and CondVar waits are annotated as waits under a writer lock (circmatch never waits under a
// reader lock); a Condition evaluated inside abseil is not checked (TSan ignores accesses inside a lock
// operation, as with abseil's own annotations).
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/base/options.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

static_assert(ABSL_OPTION_USE_INLINE_NAMESPACE == 1, "the mangled names below assume abseil's inline namespace");

namespace {

#define CIRCMATCH_STRINGIFY_INNER(x) #x
#define CIRCMATCH_STRINGIFY(x) CIRCMATCH_STRINGIFY_INNER(x)

// abseil's definition of the function whose mangled name is _ZN4absl<inline namespace><rest>.
template <typename F>
F Real(const char* rest) {
  constexpr char ns[] = CIRCMATCH_STRINGIFY(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  const std::string name = "_ZN4absl" + std::to_string(sizeof(ns) - 1) + ns + rest;
  void* f = dlsym(RTLD_NEXT, name.c_str());
  if (f == nullptr) {
    std::fprintf(stderr, "absl_mutex_tsan: %s not found in abseil\n", name.c_str());
    std::abort();
  }
  return reinterpret_cast<F>(f);
}

constexpr unsigned kRead = __tsan_mutex_read_lock;

// A call that takes the lock (mode `flags`).
template <typename F, typename... Args>
auto Locking(void* mu, unsigned flags, F real, Args&&... args) {
  __tsan_mutex_pre_lock(mu, flags);
  if constexpr (std::is_void_v<decltype(real(std::forward<Args>(args)...))>) {
    real(std::forward<Args>(args)...);
    __tsan_mutex_post_lock(mu, flags, 0);
  } else {
    auto result = real(std::forward<Args>(args)...);
    __tsan_mutex_post_lock(mu, flags, 0);
    return result;
  }
}

// A call that releases the writer lock it is called under and holds it again when it returns (Await, a
// CondVar wait): to TSan an unlock and then a lock.
template <typename F, typename... Args>
auto Waiting(void* mu, F real, Args&&... args) {
  __tsan_mutex_pre_unlock(mu, 0);
  __tsan_mutex_post_unlock(mu, 0);
  return Locking(mu, 0, real, std::forward<Args>(args)...);
}

void Unlocking(void* mu, unsigned flags, void (*real)(absl::Mutex*)) {
  __tsan_mutex_pre_unlock(mu, flags);
  real(static_cast<absl::Mutex*>(mu));
  __tsan_mutex_post_unlock(mu, flags);
}

bool TryLocking(absl::Mutex* mu, unsigned flags, bool (*real)(absl::Mutex*)) {
  __tsan_mutex_pre_lock(mu, flags | __tsan_mutex_try_lock);
  const bool locked = real(mu);
  __tsan_mutex_post_lock(mu, flags | __tsan_mutex_try_lock | (locked ? 0 : __tsan_mutex_try_lock_failed), 0);
  return locked;
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

using Cond = const Condition&;

void Mutex::Lock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex4LockEv");
  Locking(this, 0, real, this);
}
void Mutex::ReaderLock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex10ReaderLockEv");
  Locking(this, kRead, real, this);
}
void Mutex::Unlock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex6UnlockEv");
  Unlocking(this, 0, real);
}
void Mutex::ReaderUnlock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex12ReaderUnlockEv");
  Unlocking(this, kRead, real);
}
bool Mutex::TryLock() {
  static const auto real = Real<bool (*)(Mutex*)>("5Mutex7TryLockEv");
  return TryLocking(this, 0, real);
}
bool Mutex::ReaderTryLock() {
  static const auto real = Real<bool (*)(Mutex*)>("5Mutex13ReaderTryLockEv");
  return TryLocking(this, kRead, real);
}

void Mutex::LockWhen(Cond cond) {
  static const auto real = Real<void (*)(Mutex*, Cond)>("5Mutex8LockWhenERKNS0_9ConditionE");
  Locking(this, 0, real, this, cond);
}
void Mutex::ReaderLockWhen(Cond cond) {
  static const auto real = Real<void (*)(Mutex*, Cond)>("5Mutex14ReaderLockWhenERKNS0_9ConditionE");
  Locking(this, kRead, real, this, cond);
}
bool Mutex::LockWhenWithDeadline(Cond cond, Time deadline) {
  static const auto real =
      Real<bool (*)(Mutex*, Cond, Time)>("5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  return Locking(this, 0, real, this, cond, deadline);
}
bool Mutex::ReaderLockWhenWithDeadline(Cond cond, Time deadline) {
  static const auto real =
      Real<bool (*)(Mutex*, Cond, Time)>("5Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  return Locking(this, kRead, real, this, cond, deadline);
}

void Mutex::Await(Cond cond) {
  static const auto real = Real<void (*)(Mutex*, Cond)>("5Mutex5AwaitERKNS0_9ConditionE");
  Waiting(this, real, this, cond);
}
bool Mutex::AwaitWithDeadline(Cond cond, Time deadline) {
  static const auto real = Real<bool (*)(Mutex*, Cond, Time)>("5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  return Waiting(this, real, this, cond, deadline);
}

void CondVar::Wait(Mutex* mu) {
  static const auto real = Real<void (*)(CondVar*, Mutex*)>("7CondVar4WaitEPNS0_5MutexE");
  Waiting(mu, real, this, mu);
}
bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  static const auto real = Real<bool (*)(CondVar*, Mutex*, Time)>("7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  return Waiting(mu, real, this, mu, deadline);
}

ABSL_NAMESPACE_END
}  // namespace absl
