// CRC-32 by folding with carry-less multiplication.
//
// The mathematics. The format's CRC-32 is bit-reflected: the first byte's lowest bit is the
// message polynomial's highest coefficient. Without its two inversions (of the start value
// and of the result) the CRC of a message M(x) is M(x)·x^32 mod P(x), P the degree-32
// polynomial 0x104C11DB7, so any part of the message may be replaced by another of the same
// length that is congruent to it modulo P (counting its position) without changing the CRC.
//
// Folding uses that. Sixteen bytes loaded into an SSE register as a little-endian 128-bit
// number put the chunk's highest coefficient in bit 0: bit k stands for x^(127-k). A chunk
// X = H·x^64 + L (H in the low 64 bits, L in the high 64) lying F bits ahead of another
// chunk Y counts as X·x^F there, and X·x^F ≡ H·(x^(F+64) mod P) + L·(x^F mod P); both
// products have fewer than 128 bits, so XORing them into Y removes X from the message
// without changing its CRC. PCLMULQDQ multiplies two 64-bit halves without carries; with
// both operands in this reflected order the product comes out one position short (its bit m
// stands for x^(126-m), not x^(127-m)), so the constants are taken one power lower:
// K(F) = x^(F+63) mod P for the high half and x^(F-1) mod P for the low one. Each constant
// has fewer than 32 bits; a polynomial c of degree < 64 is held as a 64-bit number whose bit
// k stands for x^(63-k).
//
// The loop keeps four such accumulators 64 bytes apart (F = 512) so that the multiplications
// of one step do not wait on each other, folds them into one (F = 384, 256, 128 — done as
// three steps of F = 128), folds the remaining whole 16-byte chunks (F = 128), and hands the
// last accumulator's 16 bytes and the few bytes after it to the table-driven CRC with a zero
// start: the shortened message is congruent to the original, so its CRC is the original's.
// The start value enters by XOR into the message's first four bytes (the reflected CRC of
// a message with start value s equals that of the message with s XORed into its first 32
// bits and a zero start).
//
// The constants and the byte table are computed once from P, bit by bit (no tables copied from
// anywhere), and statecache_crc32_check_constants() recomputes the constants another way for
// the tests.
#include "CCacheChecksum.h"

#include <pthread.h>
#include <string.h>

/// The reflected polynomial: bit k stands for x^(31-k) of P(x) - x^32.
#define STATECACHE_CRC32_REFLECTED_POLY 0xEDB88320u

/// The byte table and the folding constants, computed once per process (pthread_once orders
/// their writes before every use, on every thread).
static uint32_t crc_table[256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static void fill_tables(void);

/// The raw (uninverted) reflected CRC register after `count` bytes, from register `crc`.
static uint32_t raw_bytewise(uint32_t crc, const unsigned char *bytes, size_t count) {
    pthread_once(&tables_once, fill_tables);
    for (size_t i = 0; i < count; i++) crc = crc_table[(crc ^ bytes[i]) & 0xFF] ^ (crc >> 8);
    return crc;
}

uint32_t statecache_crc32_bytewise(uint32_t crc, const void *bytes, size_t count) {
    return ~raw_bytewise(~crc, (const unsigned char *)bytes, count);
}

/// x^n mod P as a reflected 32-bit number (bit k stands for x^(31-k)), by repeated
/// multiplication by x: in reflected order a shift right, reducing when x^32 appears.
static uint32_t reflected_x_power_mod_p(unsigned n) {
    uint32_t value = 0x80000000u;  // x^0
    for (unsigned i = 0; i < n; i++) value = (value >> 1) ^ ((value & 1) ? STATECACHE_CRC32_REFLECTED_POLY : 0);
    return value;
}

/// A polynomial of degree < 32 in the 64-bit reflected order PCLMULQDQ's operands use here
/// (bit k stands for x^(63-k)): the 32-bit reflected number shifted up by 32.
static uint64_t widened(uint32_t reflected32) { return (uint64_t)reflected32 << 32; }

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>

/// The constant pairs (low half: multiplies H, high half: multiplies L) for F = 512 and 128.
static uint64_t fold512[2], fold128[2];

static void fill_tables(void) {
    for (uint32_t byte = 0; byte < 256; byte++) {
        uint32_t crc = byte;
        for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ ((crc & 1) ? STATECACHE_CRC32_REFLECTED_POLY : 0);
        crc_table[byte] = crc;
    }
    fold512[0] = widened(reflected_x_power_mod_p(512 + 63));
    fold512[1] = widened(reflected_x_power_mod_p(512 - 1));
    fold128[0] = widened(reflected_x_power_mod_p(128 + 63));
    fold128[1] = widened(reflected_x_power_mod_p(128 - 1));
}

int statecache_crc32_folding_available(void) {
    static int answer = -1;  // -1: not asked yet
    int known = __atomic_load_n(&answer, __ATOMIC_RELAXED);
    if (known >= 0) return known;
    unsigned a, b, c, d;
    int has = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_PCLMUL) && (c & bit_SSE4_1);
    __atomic_store_n(&answer, has ? 1 : 0, __ATOMIC_RELAXED);
    return has ? 1 : 0;
}

/// X·x^F folded onto the chunk F bits ahead, with F's constants in `k` (low: x^(F+63) mod P,
/// high: x^(F-1) mod P).
__attribute__((target("pclmul,sse4.1")))
static inline __m128i fold(__m128i x, __m128i k) {
    return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11));
}

__attribute__((target("pclmul,sse4.1")))
uint32_t statecache_crc32_folded(uint32_t crc, const void *bytes, size_t count) {
    const unsigned char *p = (const unsigned char *)bytes;
    uint32_t raw = ~crc;
    if (count < 64) return ~raw_bytewise(raw, p, count);
    pthread_once(&tables_once, fill_tables);
    const __m128i k512 = _mm_set_epi64x((long long)fold512[1], (long long)fold512[0]);
    const __m128i k128 = _mm_set_epi64x((long long)fold128[1], (long long)fold128[0]);

    // The start value goes into the first four bytes (little-endian: the reflected order).
    __m128i x0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi32_si128((int)raw));
    __m128i x1 = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i x2 = _mm_loadu_si128((const __m128i *)(p + 32));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(p + 48));
    p += 64;
    count -= 64;
    while (count >= 64) {
        x0 = _mm_xor_si128(fold(x0, k512), _mm_loadu_si128((const __m128i *)p));
        x1 = _mm_xor_si128(fold(x1, k512), _mm_loadu_si128((const __m128i *)(p + 16)));
        x2 = _mm_xor_si128(fold(x2, k512), _mm_loadu_si128((const __m128i *)(p + 32)));
        x3 = _mm_xor_si128(fold(x3, k512), _mm_loadu_si128((const __m128i *)(p + 48)));
        p += 64;
        count -= 64;
    }
    // Four accumulators into one: each folded 128 bits onto the next.
    __m128i x = _mm_xor_si128(fold(x0, k128), x1);
    x = _mm_xor_si128(fold(x, k128), x2);
    x = _mm_xor_si128(fold(x, k128), x3);
    while (count >= 16) {
        x = _mm_xor_si128(fold(x, k128), _mm_loadu_si128((const __m128i *)p));
        p += 16;
        count -= 16;
    }
    // The accumulator's 16 bytes, then the last few: a message congruent to the whole one.
    unsigned char last[16];
    _mm_storeu_si128((__m128i *)last, x);
    uint32_t reduced = raw_bytewise(0, last, 16);
    return ~raw_bytewise(reduced, p, count);
}

int statecache_crc32_check_constants(void) {
    pthread_once(&tables_once, fill_tables);
    // A second derivation: x^n mod P by polynomial long division in the ordinary
    // (unreflected) order, then reflected, so that a slip in the reflected shift loop above
    // would show.
    const unsigned powers[4] = { 512 + 63, 512 - 1, 128 + 63, 128 - 1 };
    const uint64_t used[4] = { fold512[0], fold512[1], fold128[0], fold128[1] };
    for (int i = 0; i < 4; i++) {
        uint64_t remainder = 1;  // x^0, ordinary order: bit k stands for x^k
        for (unsigned n = 0; n < powers[i]; n++) {
            remainder <<= 1;
            if (remainder & (1ull << 32)) remainder ^= 0x104C11DB7ull;
        }
        uint32_t reflected = 0;
        for (int bit = 0; bit < 32; bit++) {
            if (remainder & (1ull << bit)) reflected |= 1u << (31 - bit);
        }
        if (widened(reflected) != used[i]) return 0;
    }
    // And the table, through the standard check value of CRC-32.
    return statecache_crc32_bytewise(0, "123456789", 9) == 0xCBF43926u;
}

#else

static void fill_tables(void) {
    for (uint32_t byte = 0; byte < 256; byte++) {
        uint32_t crc = byte;
        for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ ((crc & 1) ? STATECACHE_CRC32_REFLECTED_POLY : 0);
        crc_table[byte] = crc;
    }
}

int statecache_crc32_folding_available(void) { return 0; }

uint32_t statecache_crc32_folded(uint32_t crc, const void *bytes, size_t count) {
    return statecache_crc32_bytewise(crc, bytes, count);
}

int statecache_crc32_check_constants(void) {
    return statecache_crc32_bytewise(0, "123456789", 9) == 0xCBF43926u;
}

#endif
