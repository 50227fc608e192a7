/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lt-cpu-private.h"

/*
 * Host memory for the CPU backend's storage and its kernels' scratch:
 * 64-byte aligned buffers (2 MiB aligned and on huge pages when large),
 * through a cache of freed buffers.
 */

/* Buffers from this size on are aligned to 2 MiB and asked to live on
 * transparent huge pages: the C library maps such buffers afresh for every
 * allocation, and filling 40 MB of new 4 KiB pages costs 10,000 page
 * faults, more than the arithmetic of an elementwise op over them. */
#define LT_CPU_HUGE_BYTES (8u << 20)
#define LT_CPU_HUGE_ALIGN (2u << 20)

/*
 * A cache of freed buffers. A training loop frees and allocates the same
 * sizes at every step (activations, gradients, scratch); the C library
 * returns buffers of 128 KiB and more to the system (munmap, or trimming
 * the top of its heap) and maps them again, and every first touch of a
 * page of the new buffer is a page fault: 5 to 12% of a training step.
 * Freed buffers from LT_CPU_CACHE_MIN_BYTES on wait here instead, in size
 * classes four to a power of two (a buffer is allocated at its class's
 * size, at most 25% above the request), and are handed out again for a
 * request of the same class. The cache holds at most LT_CPU_CACHE_BYTES;
 * a buffer freed beyond that goes back to the system. One lock guards it.
 * Builds with AddressSanitizer skip it, so that a use after free is still
 * seen.
 */
#define LT_CPU_CACHE_MIN_BYTES (32u << 10)
#define LT_CPU_CACHE_BYTES ((gsize) 256 << 20)
#define LT_CPU_CACHE_CLASSES (4 * 30) /* classes up to 2^30 bytes */

#if defined(__SANITIZE_ADDRESS__)
#define LT_CPU_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LT_CPU_CACHE 0
#endif
#endif
#ifndef LT_CPU_CACHE
#define LT_CPU_CACHE 1
#endif

typedef struct CachedBuffer CachedBuffer;
struct CachedBuffer
{
  CachedBuffer *next; /* written into the freed buffer itself */
};

static struct
{
  GMutex        lock;
  CachedBuffer *free[LT_CPU_CACHE_CLASSES];
  gsize         bytes; /* held, in all */
} cache;

/* The size class of a request of @nbytes (cached sizes only) and the size
 * of its buffers */
static guint
cache_class (gsize nbytes, gsize *class_bytes)
{
  guint k = g_bit_storage (nbytes) - 1; /* 2^k <= nbytes < 2^(k+1) */
  gsize base = (gsize) 1 << k, step = base / 4;
  gsize j = (nbytes - base + step - 1) / step; /* 0 .. 4 */

  *class_bytes = base + j * step;
  return 4 * k + (guint) j;
}

static gboolean
cache_takes (gsize nbytes)
{
  return LT_CPU_CACHE && nbytes >= LT_CPU_CACHE_MIN_BYTES && nbytes <= LT_CPU_CACHE_BYTES;
}

static gpointer
system_alloc (gsize nbytes, GError **error)
{
  gpointer p = NULL;
  gsize    align = 64;

#ifdef MADV_HUGEPAGE
  if (nbytes >= LT_CPU_HUGE_BYTES)
    align = LT_CPU_HUGE_ALIGN;
#endif
  if (posix_memalign (&p, align, nbytes) != 0 || p == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                   "cpu: could not allocate %" G_GSIZE_FORMAT " bytes", nbytes);
      return NULL;
    }
#ifdef MADV_HUGEPAGE
  /* Only advice: where the kernel has no huge pages nothing changes. */
  if (align == LT_CPU_HUGE_ALIGN)
    madvise (p, nbytes, MADV_HUGEPAGE);
#endif
  return p;
}

/* Tests only: allocations left before one fails (-1: none fails); see
 * _lt_cpu_alloc_fail_after () */
static gint fail_countdown = -1;
/* Tests only: whether buffers come out filled with NaN; see
 * _lt_cpu_alloc_poison () */
static gint poison;

/* Whether this allocation is the one armed to fail: counts it down */
static gboolean
injected_failure (void)
{
  for (;;)
    {
      gint v = g_atomic_int_get (&fail_countdown);

      if (v < 0)
        return FALSE;
      if (g_atomic_int_compare_and_exchange (&fail_countdown, v, v - 1))
        return v == 0;
    }
}

static gpointer
cached_alloc (gsize nbytes, GError **error)
{
  gsize         class_bytes;
  guint         c;
  CachedBuffer *b;

  if (!cache_takes (nbytes))
    return system_alloc (nbytes, error);
  c = cache_class (nbytes, &class_bytes);
  g_mutex_lock (&cache.lock);
  b = cache.free[c];
  if (b)
    {
      cache.free[c] = b->next;
      cache.bytes -= class_bytes;
    }
  g_mutex_unlock (&cache.lock);
  return b ? (gpointer) b : system_alloc (class_bytes, error);
}

gpointer
_lt_cpu_alloc (gsize nbytes, GError **error)
{
  gpointer p;

  if (G_UNLIKELY (g_atomic_int_get (&fail_countdown) >= 0) && injected_failure ())
    {
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                   "cpu: could not allocate %" G_GSIZE_FORMAT " bytes", nbytes);
      return NULL;
    }
  p = cached_alloc (nbytes, error);
  /* all bits set: a NaN in every float32 and float64 lane */
  if (G_UNLIKELY (g_atomic_int_get (&poison)) && p != NULL)
    memset (p, 0xff, nbytes);
  return p;
}

void
_lt_cpu_free (gpointer data, gsize nbytes)
{
  gsize class_bytes;
  guint c;

  if (data == NULL)
    return;
  if (cache_takes (nbytes))
    {
      c = cache_class (nbytes, &class_bytes);
      g_mutex_lock (&cache.lock);
      if (cache.bytes + class_bytes <= LT_CPU_CACHE_BYTES)
        {
          CachedBuffer *b = data;

          b->next = cache.free[c];
          cache.free[c] = b;
          cache.bytes += class_bytes;
          data = NULL;
        }
      g_mutex_unlock (&cache.lock);
    }
  free (data);
}

/* In a child of fork (): the cache's buffers were copied with the memory;
 * its lock may have been held by a thread that the child does not have. */
void
_lt_cpu_alloc_after_fork (void)
{
  memset (&cache.lock, 0, sizeof cache.lock);
}

/* Tests only (tests/c/test-cpu-oom.c): the allocation after @n more
 * fails as the system's would with no memory left, once; -1 disarms. */
void
_lt_cpu_alloc_fail_after (gint n)
{
  g_atomic_int_set (&fail_countdown, MAX (n, -1));
}

/* Tests only: whether the failure armed by _lt_cpu_alloc_fail_after () is
 * still to come */
gboolean
_lt_cpu_alloc_fail_pending (void)
{
  return g_atomic_int_get (&fail_countdown) >= 0;
}

/* Tests only: from now on every buffer comes out filled with NaN (all
 * bits set) when @on, as a buffer from the cache may hold anything; a
 * kernel that reads scratch it never wrote then gives NaN instead of the
 * zeros a fresh page happens to hold. */
void
_lt_cpu_alloc_poison (gboolean on)
{
  g_atomic_int_set (&poison, on ? 1 : 0);
}
