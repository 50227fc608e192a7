/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Philox 4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
 * 3", SC 2011), the counter-based generator cuRAND and PyTorch's CUDA
 * backend use. Element i of a random tensor takes lane i % V of block
 * offset + i / V, where V is the number of values one block gives for the
 * op and dtype (lt-cpu-random.c): the stream depends on the seed, the
 * generator offset and i only, never on the thread count or the device.
 *
 * Plain C with fixed-width types so that CUDA code can include it
 * (define LT_PHILOX_QUALIFIER to "__host__ __device__").
 */

#include <stdint.h>

#ifndef LT_PHILOX_QUALIFIER
#define LT_PHILOX_QUALIFIER static inline
#endif

typedef struct
{
  uint32_t v[4];
} LtPhilox4;

LT_PHILOX_QUALIFIER void
_lt_philox_round (uint32_t c[4], const uint32_t k[2])
{
  uint64_t p0 = (uint64_t) 0xD2511F53u * c[0];
  uint64_t p1 = (uint64_t) 0xCD9E8D57u * c[2];
  uint32_t hi0 = (uint32_t) (p0 >> 32), lo0 = (uint32_t) p0;
  uint32_t hi1 = (uint32_t) (p1 >> 32), lo1 = (uint32_t) p1;
  uint32_t n0 = hi1 ^ c[1] ^ k[0];
  uint32_t n2 = hi0 ^ c[3] ^ k[1];

  c[0] = n0;
  c[1] = lo1;
  c[2] = n2;
  c[3] = lo0;
}

/* The bare function on a 128-bit counter and a 64-bit key. */
LT_PHILOX_QUALIFIER LtPhilox4
_lt_philox4x32_10_raw (const uint32_t counter[4],
                       const uint32_t key[2])
{
  uint32_t c[4] = { counter[0], counter[1], counter[2], counter[3] };
  uint32_t k[2] = { key[0], key[1] };
  LtPhilox4 r;

  for (int i = 0; i < 10; i++)
    {
      _lt_philox_round (c, k);
      k[0] += 0x9E3779B9u;
      k[1] += 0xBB67AE85u;
    }
  r.v[0] = c[0];
  r.v[1] = c[1];
  r.v[2] = c[2];
  r.v[3] = c[3];
  return r;
}

/* One block: 4 x 32 random bits for (seed, counter). */
LT_PHILOX_QUALIFIER LtPhilox4
_lt_philox4x32_10 (uint64_t seed,
                   uint64_t counter)
{
  uint32_t c[4] = { (uint32_t) counter, (uint32_t) (counter >> 32), 0, 0 };
  uint32_t k[2] = { (uint32_t) seed, (uint32_t) (seed >> 32) };

  return _lt_philox4x32_10_raw (c, k);
}

/* [0, 1) with 24 random bits */
LT_PHILOX_QUALIFIER float
_lt_philox_uniform_f32 (uint32_t x)
{
  return (float) (x >> 8) * (1.0f / 16777216.0f);
}

/* [0, 1) with 53 random bits */
LT_PHILOX_QUALIFIER double
_lt_philox_uniform_f64 (uint32_t hi,
                        uint32_t lo)
{
  uint64_t x = ((uint64_t) hi << 32) | lo;

  return (double) (x >> 11) * (1.0 / 9007199254740992.0);
}
