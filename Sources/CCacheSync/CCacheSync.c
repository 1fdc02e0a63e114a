// The read-mostly lock of CCacheSync.h. The argument for its correctness, line by line:
//
// 1. Mutual exclusion (Dekker's handshake). A reader performs RMW(stripe := 1) then
//    LOAD(writer); a writer performs STORE(writer := 1) then LOAD(stripe) for every stripe. All
//    four are memory_order_seq_cst, so they lie in one total order S consistent with each
//    thread's program order. If the reader's LOAD(writer) returns 0, it precedes the writer's
//    STORE in S, hence the reader's RMW precedes the writer's LOAD(stripe), which therefore
//    returns 1 (or the 0 the reader stores when it leaves): the writer waits. If the reader
//    sees 1, it releases its stripe and waits. So a reader and a writer are never both inside.
// 2. Visibility. A reader leaves with a release store of 0 to its stripe, and the writer's
//    seq_cst (acquire) load that returns that 0 synchronizes with it: everything the reader
//    did inside happens before the writer's section. A writer leaves with a release store of 0
//    to `writer`; a reader's seq_cst load that returns it synchronizes with it: the writer's
//    changes happen before the reader's section. Writers order among themselves through the
//    mutex.
// 3. The compiler. These bodies are compiled apart from their Swift callers (no cross-language
//    inlining in a SwiftPM build), so to the Swift optimizer each call is opaque: it may touch
//    any memory or release any object, and nothing the caller does inside a section (loads of
//    the shard, retains of a payload it hands out) can move out across the call.
// glibc declares PTHREAD_MUTEX_ADAPTIVE_NP (an enumerator, not a macro) only for GNU sources.
#define _GNU_SOURCE
#include "CCacheSync.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

// 128 bytes: the pair of lines Intel's adjacent-line prefetcher moves together.
#define BLOCK 128

/// How many times a reader that met a writer checks again before it gives up (and the caller
/// queues for exclusive access): a writer holds the shard for one change or one batch of
/// logged hits; a reader that turned writer would make every other reader wait too.
#define READER_PATIENCE 1024

struct statecache_rml {
    /// Serializes writers. The writer flag shares its line: a writer writes both.
    _Alignas(BLOCK) pthread_mutex_t mutex;
    _Atomic long writer;
    /// One claim word per stripe, each on its own block: readers on two cores write different lines.
    struct { _Alignas(BLOCK) _Atomic long claimed; } stripes[STATECACHE_STRIPE_COUNT];
};

statecache_rml *statecache_rml_create(void) {
    statecache_rml *lock = aligned_alloc(BLOCK, sizeof(statecache_rml));
    if (lock == NULL) abort();
    memset(lock, 0, sizeof *lock);
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
#if defined(__GLIBC__)
    // Writers hold the lock for well under a microsecond: a waiter spins a little before it
    // sleeps (glibc's adaptive mutex); a sleep and its wake-up cost far more than that.
    pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_ADAPTIVE_NP);
#endif
    if (pthread_mutex_init(&lock->mutex, &attributes) != 0) abort();
    pthread_mutexattr_destroy(&attributes);
    atomic_init(&lock->writer, 0);
    for (int stripe = 0; stripe < STATECACHE_STRIPE_COUNT; stripe++) atomic_init(&lock->stripes[stripe].claimed, 0);
    return lock;
}

void statecache_rml_destroy(statecache_rml *lock) {
    pthread_mutex_destroy(&lock->mutex);
    free(lock);
}

bool statecache_rml_read_begin(statecache_rml *lock, long stripe) {
    _Atomic long *word = &lock->stripes[stripe & (STATECACHE_STRIPE_COUNT - 1)].claimed;
    long expected = 0;
    if (!atomic_compare_exchange_strong_explicit(word, &expected, 1, memory_order_seq_cst, memory_order_relaxed)) {
        return false;  // another thread with the same stripe number is inside
    }
    if (atomic_load_explicit(&lock->writer, memory_order_seq_cst) == 0) return true;
    // A writer is inside or about to be: give the stripe back (it waits for it), wait for it
    // to leave, claim again. Relaxed loads only while spinning; the claim and the check that
    // decide are seq_cst again.
    int checks = 0;
    for (;;) {
        atomic_store_explicit(word, 0, memory_order_release);
        while (atomic_load_explicit(&lock->writer, memory_order_relaxed) != 0) {
            if (++checks >= READER_PATIENCE) return false;
            if ((checks & 63) == 0) sched_yield();
        }
        expected = 0;
        if (!atomic_compare_exchange_strong_explicit(word, &expected, 1, memory_order_seq_cst, memory_order_relaxed)) {
            return false;
        }
        if (atomic_load_explicit(&lock->writer, memory_order_seq_cst) == 0) return true;
    }
}

void statecache_rml_read_end(statecache_rml *lock, long stripe) {
    atomic_store_explicit(&lock->stripes[stripe & (STATECACHE_STRIPE_COUNT - 1)].claimed, 0, memory_order_release);
}

/// The second half of entering exclusive access, with the mutex held: raise the flag, then
/// wait until no stripe is claimed (point 1: a reader that claimed before the flag was up
/// leaves; one that claims after sees the flag and steps out).
static void raise_flag_and_wait_for_readers(statecache_rml *lock) {
    atomic_store_explicit(&lock->writer, 1, memory_order_seq_cst);
    for (int stripe = 0; stripe < STATECACHE_STRIPE_COUNT; stripe++) {
        // The reader inside is in the middle of a lookup: a short spin is enough; one that
        // lost its core gets it back when we yield.
        int spins = 0;
        while (atomic_load_explicit(&lock->stripes[stripe].claimed, memory_order_seq_cst) != 0) {
            if ((++spins & 63) == 0) sched_yield();
        }
    }
}

void statecache_rml_write_begin(statecache_rml *lock) {
    pthread_mutex_lock(&lock->mutex);
    raise_flag_and_wait_for_readers(lock);
}

bool statecache_rml_try_write_begin(statecache_rml *lock) {
    // The same entry, for a writer that would rather not wait for another writer: points 1
    // and 2 hold for every writer inside, however it got the mutex (each raised the flag and
    // then saw every stripe empty). Failing, it returns holding nothing.
    if (pthread_mutex_trylock(&lock->mutex) != 0) return false;
    raise_flag_and_wait_for_readers(lock);
    return true;
}

void statecache_rml_write_end(statecache_rml *lock) {
    atomic_store_explicit(&lock->writer, 0, memory_order_release);
    pthread_mutex_unlock(&lock->mutex);
}

bool statecache_rml_writer_inside(statecache_rml *lock) {
    return atomic_load_explicit(&lock->writer, memory_order_seq_cst) != 0;
}

long statecache_rml_claimed_stripes(statecache_rml *lock) {
    long claimed = 0;
    for (int stripe = 0; stripe < STATECACHE_STRIPE_COUNT; stripe++) {
        claimed += atomic_load_explicit(&lock->stripes[stripe].claimed, memory_order_seq_cst) != 0;
    }
    return claimed;
}
