// glibc heap statistics (mallinfo2), for measuring the cache's per-entry overhead.
#include <malloc.h>
