// CRC-32 of cache files by carry-less multiplication (x86-64 PCLMULQDQ), in C because the
// instructions are reached through compiler intrinsics. The checksum is the format's CRC-32
// (the polynomial of zlib, gzip and PNG, bit-reflected, with the usual inversions): for every
// input, statecache_crc32_folded(crc, p, n) == zlib's crc32(crc, p, n). Swift's `Checksum`
// (CacheFiles) calls it when statecache_crc32_folding_available() says the CPU can, and zlib
// otherwise. How it works: CCacheChecksum.c; the tests compare it with zlib on every length
// from 0 to 4096 at odd offsets and on large buffers (CacheFilesTests, ChecksumTests).
#ifndef STATECACHE_CCACHECHECKSUM_H
#define STATECACHE_CCACHECHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has the instructions statecache_crc32_folded needs (PCLMULQDQ and SSE4.1),
/// else 0 (other CPUs, other architectures). Cheap after the first call.
int statecache_crc32_folding_available(void);

/// The CRC-32 of `count` bytes at `bytes`, continuing from `crc` (0 to start), exactly as
/// zlib's crc32 computes it. Only to be called when statecache_crc32_folding_available() is 1.
uint32_t statecache_crc32_folded(uint32_t crc, const void *bytes, size_t count);

/// The same CRC-32, one byte at a time from a table (any CPU; the tests' second opinion and
/// the folded function's tail).
uint32_t statecache_crc32_bytewise(uint32_t crc, const void *bytes, size_t count);

/// Checks the folding constants against their definition (x^n mod P, computed bit by bit):
/// 1 when every constant is right. The tests call it; statecache_crc32_folded does not.
int statecache_crc32_check_constants(void);

#endif
