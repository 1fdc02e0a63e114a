// The synchronization primitives of the cache's shards, written in C11 so that their memory
// orderings are the C memory model's, and compiled apart from the Swift code that calls them.
//
// Why C, and why out of line: a Swift function cannot stop the Swift optimizer from moving
// work across an atomic operation that it can see. The release build did exactly that with
// the read-mostly lock when it was written in Swift (`Synchronization.Atomic`): a reader loaded
// a state's buffer pointer under the lock and retained it only after its releasing store had
// let a writer in, and the writer could free the buffer in between (a crash in
// `swift_retain`, or another object's bytes returned under the right TID; issue 16). A call
// to a function defined in another module, whose body the optimizer cannot see, is a full
// barrier for it: the call might read or write any memory and release any object, so no load,
// store, retain or release is moved across it — the guarantee every Swift use of
// `pthread_mutex_lock` already relies on. Keep the bodies in CCacheSync.c, never in this header.
#ifndef STATECACHE_CCACHESYNC_H
#define STATECACHE_CCACHESYNC_H

#include <stdbool.h>

/// The number of stripes (a power of two): ThreadStripe.count in Swift.
#define STATECACHE_STRIPE_COUNT 8

/// The stripe of the calling thread, in 0 ..< STATECACHE_STRIPE_COUNT: handed out in the
/// order threads first ask, and kept for the thread's life. Inline on purpose (one load on
/// every cache lookup); it synchronizes nothing, so the optimizer may move it freely.
static inline long statecache_thread_stripe(void) {
    static __thread long stripe = -1;
    static long next = 0;
    if (__builtin_expect(stripe < 0, 0)) {
        stripe = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) & (STATECACHE_STRIPE_COUNT - 1);
    }
    return stripe;
}

/// Asks the CPU to bring the cache line at `address` into its cache, ready to be written: a
/// hint that reads and writes nothing (an address outside any mapping is harmless) and
/// synchronizes nothing, so it is inline like statecache_thread_stripe. A shard applying a
/// batch of logged hits issues it for every line the batch will write, so that their misses
/// overlap instead of following one another.
static inline void statecache_prefetch_for_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

/// A read-mostly lock: readers mark only their own stripe, writers are serialized by a mutex.
/// Opaque; created by statecache_rml_create, destroyed by statecache_rml_destroy.
typedef struct statecache_rml statecache_rml;

/// A new, unlocked lock (aborts when memory cannot be had).
statecache_rml *statecache_rml_create(void);
/// Frees `lock`, which no thread holds.
void statecache_rml_destroy(statecache_rml *lock);

/// Enters shared access through `stripe` (0 ..< STATECACHE_STRIPE_COUNT). True: the caller is
/// inside and no writer is, until statecache_rml_read_end. False (nothing held): another
/// thread holds the stripe, or a writer stayed inside too long; take exclusive access instead.
bool statecache_rml_read_begin(statecache_rml *lock, long stripe);
/// Leaves the shared access entered through `stripe`.
void statecache_rml_read_end(statecache_rml *lock, long stripe);

/// Enters exclusive access: waits for other writers, then for every reader to leave.
void statecache_rml_write_begin(statecache_rml *lock);
/// Enters exclusive access only if no other writer holds it: true, and the caller is inside
/// once every reader has left (as statecache_rml_write_begin); false, holding nothing, when
/// another writer is inside or queued first. For work that may be skipped (applying a
/// shard's buffered hits), which must never make a reader wait behind a writer.
bool statecache_rml_try_write_begin(statecache_rml *lock);
/// Leaves exclusive access.
void statecache_rml_write_end(statecache_rml *lock);

/// Whether a writer is inside, and how many stripes are claimed (for checkInvariants: both
/// must be 0 when no thread is using the lock).
bool statecache_rml_writer_inside(statecache_rml *lock);
long statecache_rml_claimed_stripes(statecache_rml *lock);

#endif
