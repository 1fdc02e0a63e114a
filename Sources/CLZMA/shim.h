// liblzma (Debian: liblzma-dev), for reading .xz research traces.
#include <stdint.h>
#include <lzma.h>

/// LZMA_CONCATENATED, whose UINT32_C(...) definition Swift cannot import.
static const uint32_t statecache_lzma_concatenated = LZMA_CONCATENATED;
