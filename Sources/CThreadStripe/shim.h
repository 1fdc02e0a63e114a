// The calling thread's stripe number (ThreadStripe.current) in a C thread-local variable:
// one load relative to the thread pointer, where pthread_getspecific is a library call on
// every cache lookup. Only CacheCore includes this header, so the variables below exist once.
#ifndef STATECACHE_THREAD_STRIPE_H
#define STATECACHE_THREAD_STRIPE_H

/// The stripe of the calling thread, in 0 ..< `count` (a power of two): handed out in the
/// order threads first ask, and kept for the thread's life.
static inline long statecache_thread_stripe(long count) {
    static __thread long stripe = -1;
    static long next = 0;
    if (__builtin_expect(stripe < 0, 0)) {
        stripe = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) & (count - 1);
    }
    return stripe;
}

#endif
