#pragma once
// MPFR keeps per-thread caches (constants such as pi, pools). A thread that exits without
// mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE) leaks them (LeakSanitizer reports it). Every entry point
// that uses MPFR calls register_mpfr_thread_cache() so the cache is freed when its thread ends.
#include <mpfr.h>

namespace tc0::numerics {

inline void register_mpfr_thread_cache() {
  struct Release {
    ~Release() { mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE); }
  };
  thread_local Release release;
  (void)release;
}

}  // namespace tc0::numerics
