/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The CUDA backend's batch_norm and linear algebra kernels (inv, solve,
 * det, slogdet, cholesky, eigh, svd, qr) and their launchers
 * (lt-cuda-kernels-linalg-private.h). One source, two compilations, as
 * lt-cuda-kernels.cu: nvcc for the GPU, g++ through the launch shim for the
 * emulated device. No GLib here.
 *
 * batch_norm and batch_norm_grad: a block per channel. Its threads take the
 * channel's sums (training: of x - x0 and its square, x0 the channel's
 * first value; the backward: of dy and dy (x - mean)) in double over a
 * stride of the channel's values each, then add them up in a fixed tree
 * in shared memory; the block then writes y (or dx) with the CPU's one
 * scale and shift in the element type (backends/cpu/lt-cpu-batch-norm.c).
 * The sums are deterministic but added in another order than the CPU's:
 * in double, so float32 results equal the CPU's but for a rare last-bit
 * rounding of the statistics, float64 ones agree to a few units of
 * 1e-16 relative per value summed (the op harness's tolerances).
 *
 * Linear algebra: one thread per matrix of the batch, each in its own
 * slice of global scratch, in the element type as LAPACK's s and d
 * routines. These are the sizes the library's users have (a batch of
 * small matrices); big single matrices would go to cuSOLVER (getrf/getrs,
 * potrf, syevd, gesvd, geqrf/orgqr), which is not used here because the
 * emulated device, where every kernel of this backend is proven, cannot
 * run it.
 *   inv, solve, det, slogdet  LU with partial pivoting (the first largest
 *                             |pivot|, as ?getrf), then substitution
 *   cholesky                  the column-by-column Cholesky of the lower
 *                             triangle (?potrf 'L')
 *   eigh                      cyclic Jacobi on the triangle asked for,
 *                             eigenvalues sorted ascending
 *   svd                       one-sided (Hestenes) Jacobi on the columns
 *                             of A, or of A^T when m < n; singular values
 *                             sorted descending; the columns a zero
 *                             singular value (or full_matrices) leaves
 *                             free are completed to an orthonormal basis
 *   qr                        Householder reflections as ?geqrf (beta =
 *                             -sign (alpha) ||x||, so R and Q have
 *                             LAPACK's signs), Q multiplied out as ?orgqr
 * The signs of eigenvectors and singular vectors are not unique: as on the
 * CPU (LAPACK's choice), the library promises none, only what defines them.
 * A data-dependent failure (a zero pivot of inv/solve, a leading minor not
 * positive-definite in cholesky, no convergence of a Jacobi method) is the
 * matrix's info (LAPACK's numbering); the first failing matrix of the batch
 * is recorded in the device's error word and raised at the next
 * synchronisation with the CPU's message.
 */

#include "lt-cuda-shim-private.h"
#include "lt-cuda-kernels-linalg-private.h"

#define LT_CU_LINALG_NS_(ns) ns##_linalg
#define LT_CU_LINALG_NS_X(ns) LT_CU_LINALG_NS_ (ns)
#define LT_CU_LINALG_NS LT_CU_LINALG_NS_X (LT_CU_NS)

#ifdef __CUDACC__
#define LT_CU_LINALG_KERNELS_NAME _lt_cu_linalg_kernels_device
#else
#define LT_CU_LINALG_KERNELS_NAME _lt_cu_linalg_kernels_emulated
#endif

namespace LT_CU_LINALG_NS
{

#include "lt-cuda-kernels-common-private.h"

#define BN_THREADS 256
/* Threads per block of the one-thread-per-matrix kernels */
#define LA_THREADS 64
/* Sweeps of the Jacobi methods before they give up */
#define MAX_SWEEPS 60

#define RETURN_IF_FAILED()                                                 \
  do                                                                       \
    {                                                                      \
      int status_ = LT_LAUNCH_STATUS ();                                   \
      if (status_ != LT_CU_OK)                                             \
        return status_;                                                    \
    }                                                                      \
  while (0)

__device__ __forceinline__ float
cu_sqrt (float x)
{
  return sqrtf (x);
}

__device__ __forceinline__ double
cu_sqrt (double x)
{
  return sqrt (x);
}

__device__ __forceinline__ float
cu_abs (float x)
{
  return fabsf (x);
}

__device__ __forceinline__ double
cu_abs (double x)
{
  return fabs (x);
}

/* The unit roundoff of each type */
template <typename T> struct Eps;
template <> struct Eps<float>
{
  static __device__ __forceinline__ float v () { return 1.1920929e-07f; }
};
template <> struct Eps<double>
{
  static __device__ __forceinline__ double v () { return 2.220446049250313e-16; }
};

/* ---- batch_norm ---- */

/* Adds up every thread's (a, b) into sa[0], sb[0] (blockDim.x a power of
 * two); every thread reads the totals after it */
__device__ __forceinline__ void
block_sum2 (double *sa, double *sb, double a, double b)
{
  int t = threadIdx.x;
  sa[t] = a;
  sb[t] = b;
  __syncthreads ();
  for (int s = blockDim.x / 2; s > 0; s /= 2)
    {
      if (t < s)
        {
          sa[t] += sa[t + s];
          sb[t] += sb[t + s];
        }
      __syncthreads ();
    }
}

template <typename T>
__global__ void
k_batch_norm (LtCuBatchNorm p)
{
  __shared__ double sa[BN_THREADS];
  __shared__ double sb[BN_THREADS];
  const T *x = static_cast<const T *> (p.x);
  const T *w = static_cast<const T *> (p.w);
  const T *b = static_cast<const T *> (p.b);
  const T *run = static_cast<const T *> (p.running);
  T *y = static_cast<T *> (p.out);
  T *st = static_cast<T *> (p.stats);
  int64_t C = p.C, inner = p.inner, M = p.N * inner;
  int t = threadIdx.x;

  for (int64_t c = blockIdx.x; c < C; c += gridDim.x)
    {
      double mean, var;
      if (p.training)
        {
          double x0 = (double) x[c * inner], r1 = 0, r2 = 0;
          for (int64_t e = t; e < M; e += blockDim.x)
            {
              int64_t n = e / inner, i = e - n * inner;
              double d = (double) x[(n * C + c) * inner + i] - x0;
              r1 += d;
              r2 += d * d;
            }
          block_sum2 (sa, sb, r1, r2);
          double s1 = sa[0] / (double) M;
          mean = x0 + s1;
          var = sb[0] / (double) M - s1 * s1;
          if (var < 0)
            var = 0;
        }
      else
        {
          mean = (double) run[c];
          var = (double) run[C + c];
        }
      if (t == 0)
        {
          st[c] = (T) mean;
          st[C + c] = (T) var;
        }
      double rstd = 1.0 / sqrt (var + p.eps);
      double a = (w ? (double) w[c] : 1.0) * rstd;
      double s = (b ? (double) b[c] : 0.0) - a * mean;
      T ta = (T) a, ts = (T) s;
      for (int64_t e = t; e < M; e += blockDim.x)
        {
          int64_t n = e / inner, i = e - n * inner, j = (n * C + c) * inner + i;
          y[j] = ta * x[j] + ts;
        }
      /* the shared sums are read before the next channel writes them */
      __syncthreads ();
    }
}

template <typename T>
__global__ void
k_batch_norm_grad (LtCuBatchNorm p)
{
  __shared__ double sa[BN_THREADS];
  __shared__ double sb[BN_THREADS];
  const T *x = static_cast<const T *> (p.x);
  const T *w = static_cast<const T *> (p.w);
  const T *dy = static_cast<const T *> (p.dy);
  const T *st = static_cast<const T *> (p.stats);
  T *dx = static_cast<T *> (p.out);
  T *ga = static_cast<T *> (p.grad_affine);
  int64_t C = p.C, inner = p.inner, M = p.N * inner;
  int t = threadIdx.x;

  for (int64_t c = blockIdx.x; c < C; c += gridDim.x)
    {
      double mean = (double) st[c], rstd = 1.0 / sqrt ((double) st[C + c] + p.eps);
      double a = (w ? (double) w[c] : 1.0) * rstd, sg = 0, sgx = 0;
      T tm = (T) mean, ta = (T) a;
      if (p.training)
        {
          double r1 = 0, r2 = 0;
          for (int64_t e = t; e < M; e += blockDim.x)
            {
              int64_t n = e / inner, i = e - n * inner, j = (n * C + c) * inner + i;
              r1 += (double) dy[j];
              r2 += (double) dy[j] * ((double) x[j] - mean);
            }
          block_sum2 (sa, sb, r1, r2);
          sg = sa[0];
          sgx = sb[0];
          /* dx = a dy - k (x - mean) - a sg / M, k = a rstd^2 sgx / M */
          double k = a * rstd * rstd * sgx / (double) M;
          double k0 = k * mean - a * sg / (double) M;
          T tk = (T) k, tk0 = (T) k0;
          if (dx)
            for (int64_t e = t; e < M; e += blockDim.x)
              {
                int64_t n = e / inner, i = e - n * inner, j = (n * C + c) * inner + i;
                dx[j] = ta * dy[j] - tk * x[j] + tk0;
              }
        }
      else
        {
          double r1 = 0, r2 = 0;
          for (int64_t e = t; e < M; e += blockDim.x)
            {
              int64_t n = e / inner, i = e - n * inner, j = (n * C + c) * inner + i;
              dx[j] = ta * dy[j];
              r1 += (double) dy[j];
              r2 += (double) dy[j] * (double) (x[j] - tm);
            }
          if (ga)
            {
              block_sum2 (sa, sb, r1, r2);
              sg = sa[0];
              sgx = sb[0];
            }
        }
      if (ga && t == 0)
        {
          ga[c] = (T) (sgx * rstd);
          ga[C + c] = (T) sg;
        }
      __syncthreads ();
    }
}

template <typename T>
int
launch_batch_norm_t (void *stream, const LtCuBatchNorm *p)
{
  int64_t M = p->N * p->inner;
  unsigned threads = 1;

  /* the fewest threads (a power of two) that give each a value */
  while (threads < BN_THREADS && (int64_t) threads < M)
    threads *= 2;
  if (p->backward)
    LT_LAUNCH_COOP (k_batch_norm_grad<T>, grid_for (p->C, 1), threads, stream, *p);
  else
    LT_LAUNCH_COOP (k_batch_norm<T>, grid_for (p->C, 1), threads, stream, *p);
  return LT_LAUNCH_STATUS ();
}

int
launch_batch_norm (void *stream, const LtCuBatchNorm *p)
{
  if (p->C == 0)
    return LT_CU_OK;
  if (p->dtype == LT_CU_F32)
    return launch_batch_norm_t<float> (stream, p);
  if (p->dtype == LT_CU_F64)
    return launch_batch_norm_t<double> (stream, p);
  return LT_CU_UNSUPPORTED;
}

/* ---- linear algebra: one thread per matrix ---- */

/* LU with partial pivoting of A (n x n, row-major, in place), the row
 * swaps and eliminations applied to X (n x k) too when given. Returns 0,
 * or LAPACK's info: the first column whose pivot is exactly zero (the
 * factorisation stops there). @sign: the determinant's sign so far. */
template <typename T>
__device__ int
lu_factor (T *A, int64_t n, T *X, int64_t k, int *sign)
{
  for (int64_t j = 0; j < n; j++)
    {
      int64_t p = j;
      T amax = cu_abs (A[j * n + j]);
      for (int64_t i = j + 1; i < n; i++)
        if (cu_abs (A[i * n + j]) > amax)
          {
            amax = cu_abs (A[i * n + j]);
            p = i;
          }
      if (A[p * n + j] == (T) 0)
        return (int) (j + 1);
      if (p != j)
        {
          *sign = -*sign;
          for (int64_t c = 0; c < n; c++)
            {
              T v = A[p * n + c];
              A[p * n + c] = A[j * n + c];
              A[j * n + c] = v;
            }
          for (int64_t c = 0; c < k; c++)
            {
              T v = X[p * k + c];
              X[p * k + c] = X[j * k + c];
              X[j * k + c] = v;
            }
        }
      T piv = A[j * n + j];
      for (int64_t i = j + 1; i < n; i++)
        {
          T f = A[i * n + j] / piv;
          A[i * n + j] = f;
          for (int64_t c = j + 1; c < n; c++)
            A[i * n + c] -= f * A[j * n + c];
          for (int64_t c = 0; c < k; c++)
            X[i * k + c] -= f * X[j * k + c];
        }
    }
  return 0;
}

/* inv (b NULL: X starts as the identity) and solve: X = A^-1 B into out */
template <typename T>
__global__ void
k_solve (LtCuLinalg p)
{
  int64_t n = p.n, k = p.k, ws = LT_CU_LINALG_WORK (p.m, p.n);
  GRID_STRIDE_LOOP (bi, p.batch)
    {
      const T *a = static_cast<const T *> (p.a) + bi * n * n;
      T *A = static_cast<T *> (p.work) + bi * ws;
      T *X = static_cast<T *> (p.out) + bi * n * k;
      int sign = 1;
      for (int64_t e = 0; e < n * n; e++)
        A[e] = a[e];
      for (int64_t i = 0; i < n; i++)
        for (int64_t c = 0; c < k; c++)
          X[i * k + c] = p.b ? static_cast<const T *> (p.b)[(bi * n + i) * k + c]
                             : (T) (i == c ? 1 : 0);
      int info = lu_factor (A, n, X, k, &sign);
      p.info[bi] = info;
      if (info)
        continue;
      for (int64_t i = n - 1; i >= 0; i--)
        for (int64_t c = 0; c < k; c++)
          {
            T s = X[i * k + c];
            for (int64_t l = i + 1; l < n; l++)
              s -= A[i * n + l] * X[l * k + c];
            X[i * k + c] = s / A[i * n + i];
          }
    }
}

/* det and slogdet: the product of U's diagonal; a singular matrix has
 * sign 0 and log |det| -inf, as on the CPU */
template <typename T>
__global__ void
k_det (LtCuLinalg p)
{
  int64_t n = p.n, ws = LT_CU_LINALG_WORK (p.m, p.n);
  GRID_STRIDE_LOOP (bi, p.batch)
    {
      const T *a = static_cast<const T *> (p.a) + bi * n * n;
      T *A = static_cast<T *> (p.work) + bi * ws;
      T *out = static_cast<T *> (p.out);
      int sign = 1;
      double s = 1.0, logabs = 0.0;
      for (int64_t e = 0; e < n * n; e++)
        A[e] = a[e];
      if (lu_factor (A, n, (T *) nullptr, 0, &sign))
        {
          s = 0.0;
          logabs = -INFINITY;
        }
      else
        {
          s = sign;
          for (int64_t i = 0; i < n; i++)
            {
              double u = (double) A[i * n + i];
              if (u < 0)
                s = -s;
              logabs += log (fabs (u));
            }
        }
      if (p.kind == LT_CU_LA_SLOGDET)
        {
          out[2 * bi] = (T) s;
          out[2 * bi + 1] = (T) logabs;
        }
      else
        out[bi] = (T) (s * exp (logabs));
    }
}

/* cholesky: L (lower, the strict upper triangle zero) with A = L L^T, from
 * A's lower triangle, into out */
template <typename T>
__global__ void
k_cholesky (LtCuLinalg p)
{
  int64_t n = p.n;
  GRID_STRIDE_LOOP (bi, p.batch)
    {
      const T *A = static_cast<const T *> (p.a) + bi * n * n;
      T *L = static_cast<T *> (p.out) + bi * n * n;
      int info = 0;
      for (int64_t e = 0; e < n * n; e++)
        L[e] = (T) 0;
      for (int64_t j = 0; j < n && !info; j++)
        {
          T d = A[j * n + j];
          for (int64_t l = 0; l < j; l++)
            d -= L[j * n + l] * L[j * n + l];
          if (!(d > (T) 0))
            {
              info = (int) (j + 1);
              break;
            }
          T ljj = cu_sqrt (d);
          L[j * n + j] = ljj;
          for (int64_t i = j + 1; i < n; i++)
            {
              T s = A[i * n + j];
              for (int64_t l = 0; l < j; l++)
                s -= L[i * n + l] * L[j * n + l];
              L[i * n + j] = s / ljj;
            }
        }
      p.info[bi] = info;
    }
}

/* The rotation that zeroes the off-diagonal of [[app, apq], [apq, aqq]]:
 * t = tan, c = cos, s = sin (Golub and Van Loan's symmetric Schur) */
template <typename T>
__device__ __forceinline__ void
jacobi_rotation (T app, T aqq, T apq, T *c, T *s, T *t)
{
  T theta = (aqq - app) / ((T) 2 * apq);
  T tt;
  if (cu_abs (theta) > (T) 1 / Eps<T>::v ())
    tt = (T) 0.5 / theta;
  else
    tt = (theta >= (T) 0 ? (T) 1 : (T) -1) / (cu_abs (theta) + cu_sqrt ((T) 1 + theta * theta));
  *t = tt;
  *c = (T) 1 / cu_sqrt ((T) 1 + tt * tt);
  *s = *c * tt;
}

/* eigh: out (n + 1, n), row 0 the eigenvalues ascending, rows 1 .. n the
 * eigenvectors as columns */
template <typename T>
__global__ void
k_eigh (LtCuLinalg p)
{
  int64_t n = p.n, ws = LT_CU_LINALG_WORK (p.m, p.n);
  GRID_STRIDE_LOOP (bi, p.batch)
    {
      const T *a = static_cast<const T *> (p.a) + bi * n * n;
      T *A = static_cast<T *> (p.work) + bi * ws;
      T *out = static_cast<T *> (p.out) + bi * (n + 1) * n;
      T *V = out + n;
      T norm = 0, eps = Eps<T>::v ();
      int info = 1;
      for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < n; j++)
          {
            bool lower = i >= j;
            T v = (lower != (p.upper != 0)) || i == j ? a[i * n + j] : a[j * n + i];
            A[i * n + j] = v;
            V[i * n + j] = (T) (i == j ? 1 : 0);
            norm += v * v;
          }
      norm = cu_sqrt (norm);
      for (int sweep = 0; sweep < MAX_SWEEPS; sweep++)
        {
          bool rotated = false;
          for (int64_t pp = 0; pp < n; pp++)
            for (int64_t q = pp + 1; q < n; q++)
              {
                T apq = A[pp * n + q], app = A[pp * n + pp], aqq = A[q * n + q];
                if (cu_abs (apq) <= eps * cu_sqrt (cu_abs (app)) * cu_sqrt (cu_abs (aqq)) ||
                    cu_abs (apq) <= eps * eps * norm)
                  continue;
                T c, s, t;
                rotated = true;
                jacobi_rotation (app, aqq, apq, &c, &s, &t);
                for (int64_t r = 0; r < n; r++)
                  {
                    if (r != pp && r != q)
                      {
                        T arp = A[r * n + pp], arq = A[r * n + q];
                        A[r * n + pp] = A[pp * n + r] = c * arp - s * arq;
                        A[r * n + q] = A[q * n + r] = s * arp + c * arq;
                      }
                    T vrp = V[r * n + pp], vrq = V[r * n + q];
                    V[r * n + pp] = c * vrp - s * vrq;
                    V[r * n + q] = s * vrp + c * vrq;
                  }
                A[pp * n + pp] = app - t * apq;
                A[q * n + q] = aqq + t * apq;
                A[pp * n + q] = A[q * n + pp] = (T) 0;
              }
          if (!rotated)
            {
              info = 0;
              break;
            }
        }
      p.info[bi] = info;
      /* ascending, the vectors with their values */
      for (int64_t i = 0; i < n; i++)
        {
          int64_t lo = i;
          for (int64_t j = i + 1; j < n; j++)
            if (A[j * n + j] < A[lo * n + lo])
              lo = j;
          if (lo != i)
            {
              T v = A[i * n + i];
              A[i * n + i] = A[lo * n + lo];
              A[lo * n + lo] = v;
              for (int64_t r = 0; r < n; r++)
                {
                  v = V[r * n + i];
                  V[r * n + i] = V[r * n + lo];
                  V[r * n + lo] = v;
                }
            }
          out[i] = A[i * n + i];
        }
    }
}

/* Makes column @j of W (P rows, leading dimension @ld) a unit vector
 * orthogonal to its columns 0 .. j-1 (orthonormal): the unit vector e_i
 * whose component outside their span is longest, orthogonalised twice */
template <typename T>
__device__ void
complete_column (T *W, int64_t P, int64_t ld, int64_t j)
{
  int64_t best = 0;
  T best_norm = (T) -1;
  for (int64_t cand = 0; cand <= P; cand++)
    {
      int64_t e = cand == P ? best : cand;
      for (int64_t r = 0; r < P; r++)
        W[r * ld + j] = (T) (r == e ? 1 : 0);
      for (int pass = 0; pass < 2; pass++)
        for (int64_t l = 0; l < j; l++)
          {
            T d = 0;
            for (int64_t r = 0; r < P; r++)
              d += W[r * ld + l] * W[r * ld + j];
            for (int64_t r = 0; r < P; r++)
              W[r * ld + j] -= d * W[r * ld + l];
          }
      T nrm = 0;
      for (int64_t r = 0; r < P; r++)
        nrm += W[r * ld + j] * W[r * ld + j];
      nrm = cu_sqrt (nrm);
      if (cand == P)
        {
          for (int64_t r = 0; r < P; r++)
            W[r * ld + j] /= nrm;
          return;
        }
      if (nrm > best_norm)
        {
          best_norm = nrm;
          best = cand;
        }
    }
}

/* svd: out (r, m + 1 + n) as lt-cpu-linalg.c: columns 0 .. m-1 U^T,
 * column m the singular values (descending), columns m+1 .. Vh. W is A
 * (m >= n) or A^T (P x Q, P = max, Q = min, leading dimension P, room for
 * P columns), V (Q x Q) its right factor: W = U' S V^T after the sweeps */
template <typename T>
__global__ void
k_svd (LtCuLinalg p)
{
  int64_t m = p.m, n = p.n, ws = LT_CU_LINALG_WORK (p.m, p.n);
  int64_t P = m > n ? m : n, Q = m > n ? n : m, w = m + 1 + n;
  bool trans = m < n;
  int64_t ucols = p.full ? P : Q; /* columns of W's left factor */
  GRID_STRIDE_LOOP (bi, p.batch)
    {
      const T *a = static_cast<const T *> (p.a) + bi * m * n;
      T *W = static_cast<T *> (p.work) + bi * ws;
      T *V = W + P * P;
      T *sv = V + Q * Q;
      T *out = static_cast<T *> (p.out) + bi * p.r * w;
      T norm2 = 0, eps = Eps<T>::v (), tol = eps * (T) P;
      int info = 1;
      for (int64_t i = 0; i < P; i++)
        for (int64_t j = 0; j < Q; j++)
          {
            T v = trans ? a[j * n + i] : a[i * n + j];
            W[i * P + j] = v;
            norm2 += v * v;
          }
      for (int64_t i = 0; i < Q; i++)
        for (int64_t j = 0; j < Q; j++)
          V[i * Q + j] = (T) (i == j ? 1 : 0);
      for (int sweep = 0; sweep < MAX_SWEEPS; sweep++)
        {
          bool rotated = false;
          for (int64_t i = 0; i < Q; i++)
            for (int64_t j = i + 1; j < Q; j++)
              {
                T al = 0, be = 0, ga = 0;
                for (int64_t r = 0; r < P; r++)
                  {
                    T wi = W[r * P + i], wj = W[r * P + j];
                    al += wi * wi;
                    be += wj * wj;
                    ga += wi * wj;
                  }
                if (cu_abs (ga) <= tol * cu_sqrt (al) * cu_sqrt (be) ||
                    cu_abs (ga) <= eps * eps * norm2)
                  continue;
                T c, s, t;
                rotated = true;
                jacobi_rotation (al, be, ga, &c, &s, &t);
                for (int64_t r = 0; r < P; r++)
                  {
                    T wi = W[r * P + i], wj = W[r * P + j];
                    W[r * P + i] = c * wi - s * wj;
                    W[r * P + j] = s * wi + c * wj;
                  }
                for (int64_t r = 0; r < Q; r++)
                  {
                    T vi = V[r * Q + i], vj = V[r * Q + j];
                    V[r * Q + i] = c * vi - s * vj;
                    V[r * Q + j] = s * vi + c * vj;
                  }
              }
          if (!rotated)
            {
              info = 0;
              break;
            }
        }
      p.info[bi] = info;
      for (int64_t j = 0; j < Q; j++)
        {
          T s2 = 0;
          for (int64_t r = 0; r < P; r++)
            s2 += W[r * P + j] * W[r * P + j];
          sv[j] = cu_sqrt (s2);
        }
      /* descending, the columns of W and V with their values */
      for (int64_t i = 0; i < Q; i++)
        {
          int64_t hi = i;
          for (int64_t j = i + 1; j < Q; j++)
            if (sv[j] > sv[hi])
              hi = j;
          if (hi == i)
            continue;
          T v = sv[i];
          sv[i] = sv[hi];
          sv[hi] = v;
          for (int64_t r = 0; r < P; r++)
            {
              v = W[r * P + i];
              W[r * P + i] = W[r * P + hi];
              W[r * P + hi] = v;
            }
          for (int64_t r = 0; r < Q; r++)
            {
              v = V[r * Q + i];
              V[r * Q + i] = V[r * Q + hi];
              V[r * Q + hi] = v;
            }
        }
      /* W's left factor: the normalised columns, and an orthonormal
       * completion where a singular value is (relatively) zero and past Q */
      for (int64_t j = 0; j < ucols; j++)
        if (j < Q && sv[j] > tol * sv[0])
          for (int64_t r = 0; r < P; r++)
            W[r * P + j] /= sv[j];
        else
          complete_column (W, P, P, j);
      for (int64_t e = 0; e < p.r * w; e++)
        out[e] = (T) 0;
      for (int64_t c = 0; c < Q; c++)
        out[c * w + m] = sv[c];
      if (!trans)
        {
          /* U = W (m x ucols), Vh = V^T (n x n) */
          for (int64_t c = 0; c < ucols; c++)
            for (int64_t i = 0; i < m; i++)
              out[c * w + i] = W[i * P + c];
          for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < n; j++)
              out[i * w + m + 1 + j] = V[j * Q + i];
        }
      else
        {
          /* A = V S W^T: U = V (m x m), Vh = W^T (ucols x n) */
          for (int64_t c = 0; c < m; c++)
            for (int64_t i = 0; i < m; i++)
              out[c * w + i] = V[i * Q + c];
          for (int64_t i = 0; i < ucols; i++)
            for (int64_t j = 0; j < n; j++)
              out[i * w + m + 1 + j] = W[j * P + i];
        }
    }
}

/* qr: out (r, m + n), columns 0 .. m-1 Q^T (r columns of Q), columns
 * m .. R. A's copy keeps R above the diagonal and the reflectors' vectors
 * below it (v_0 = 1 implied), tau beside it, as ?geqrf. */
template <typename T>
__global__ void
k_qr (LtCuLinalg p)
{
  int64_t m = p.m, n = p.n, qc = p.r, w = m + n, ws = LT_CU_LINALG_WORK (p.m, p.n);
  int64_t k = m < n ? m : n, P = m > n ? m : n;
  GRID_STRIDE_LOOP (bi, p.batch)
    {
      const T *a = static_cast<const T *> (p.a) + bi * m * n;
      T *A = static_cast<T *> (p.work) + bi * ws;
      T *Qm = A + P * P;
      T *tau = Qm + P * P;
      T *out = static_cast<T *> (p.out) + bi * qc * w;
      for (int64_t e = 0; e < m * n; e++)
        A[e] = a[e];
      for (int64_t j = 0; j < k; j++)
        {
          /* ?larfg: H (alpha, x) = (beta, 0), H = I - tau v v^T */
          T alpha = A[j * n + j], xn = 0;
          for (int64_t i = j + 1; i < m; i++)
            xn += A[i * n + j] * A[i * n + j];
          if (xn == (T) 0)
            {
              tau[j] = 0;
              continue;
            }
          T beta = cu_sqrt (alpha * alpha + xn);
          if (alpha >= (T) 0)
            beta = -beta;
          tau[j] = (beta - alpha) / beta;
          T scal = (T) 1 / (alpha - beta);
          for (int64_t i = j + 1; i < m; i++)
            A[i * n + j] *= scal;
          A[j * n + j] = beta;
          /* applied to the columns on the right */
          for (int64_t c = j + 1; c < n; c++)
            {
              T d = A[j * n + c];
              for (int64_t i = j + 1; i < m; i++)
                d += A[i * n + j] * A[i * n + c];
              d *= tau[j];
              A[j * n + c] -= d;
              for (int64_t i = j + 1; i < m; i++)
                A[i * n + c] -= d * A[i * n + j];
            }
        }
      for (int64_t e = 0; e < qc * w; e++)
        out[e] = (T) 0;
      for (int64_t i = 0; i < qc; i++)
        for (int64_t j = i; j < n; j++)
          out[i * w + m + j] = A[i * n + j];
      /* Q = H_0 ... H_{k-1} I (m x qc), ?orgqr */
      for (int64_t i = 0; i < m; i++)
        for (int64_t c = 0; c < qc; c++)
          Qm[i * qc + c] = (T) (i == c ? 1 : 0);
      for (int64_t j = k - 1; j >= 0; j--)
        {
          if (tau[j] == (T) 0)
            continue;
          for (int64_t c = 0; c < qc; c++)
            {
              T d = Qm[j * qc + c];
              for (int64_t i = j + 1; i < m; i++)
                d += A[i * n + j] * Qm[i * qc + c];
              d *= tau[j];
              Qm[j * qc + c] -= d;
              for (int64_t i = j + 1; i < m; i++)
                Qm[i * qc + c] -= d * A[i * n + j];
            }
        }
      for (int64_t c = 0; c < qc; c++)
        for (int64_t i = 0; i < m; i++)
          out[c * w + i] = Qm[i * qc + c];
    }
}

/* The first matrix of the batch whose info is not 0 goes into the error
 * word (unless an earlier failure is there): value its batch element (-1
 * for a batch of one), bound the info */
__global__ void
k_first_failure (const int32_t *info, int64_t batch, int op, LtCuErrorWord *err)
{
  if (blockIdx.x != 0 || threadIdx.x != 0)
    return;
  for (int64_t b = 0; b < batch; b++)
    if (info[b] != 0)
      {
        if (atomicCAS (&err->code, 0, (int) LT_CU_ERRW_LINALG) == 0)
          {
            err->op = op;
            err->value = batch > 1 ? b : -1;
            err->bound = info[b];
          }
        return;
      }
}

template <typename T>
int
launch_linalg_t (void *stream, const LtCuLinalg *p, LtCuErrorWord *err)
{
  unsigned grid = grid_for (p->batch, LA_THREADS);

  switch (p->kind)
    {
    case LT_CU_LA_INV:
    case LT_CU_LA_SOLVE:
      LT_LAUNCH (k_solve<T>, grid, LA_THREADS, stream, *p);
      break;
    case LT_CU_LA_DET:
    case LT_CU_LA_SLOGDET:
      LT_LAUNCH (k_det<T>, grid, LA_THREADS, stream, *p);
      return LT_LAUNCH_STATUS ();
    case LT_CU_LA_CHOLESKY:
      LT_LAUNCH (k_cholesky<T>, grid, LA_THREADS, stream, *p);
      break;
    case LT_CU_LA_EIGH:
      LT_LAUNCH (k_eigh<T>, grid, LA_THREADS, stream, *p);
      break;
    case LT_CU_LA_SVD:
      LT_LAUNCH (k_svd<T>, grid, LA_THREADS, stream, *p);
      break;
    case LT_CU_LA_QR:
      LT_LAUNCH (k_qr<T>, grid, LA_THREADS, stream, *p);
      return LT_LAUNCH_STATUS ();
    default:
      return LT_CU_UNSUPPORTED;
    }
  RETURN_IF_FAILED ();
  LT_LAUNCH (k_first_failure, 1, 1, stream, p->info, p->batch, p->op, err);
  return LT_LAUNCH_STATUS ();
}

int
launch_linalg (void *stream, const LtCuLinalg *p, LtCuErrorWord *err)
{
  if (p->batch == 0)
    return LT_CU_OK;
  if (p->dtype == LT_CU_F32)
    return launch_linalg_t<float> (stream, p, err);
  if (p->dtype == LT_CU_F64)
    return launch_linalg_t<double> (stream, p, err);
  return LT_CU_UNSUPPORTED;
}

} // namespace LT_CU_LINALG_NS

extern "C" const LtCuLinalgKernels LT_CU_LINALG_KERNELS_NAME = {
  LT_CU_LINALG_NS::launch_batch_norm,
  LT_CU_LINALG_NS::launch_linalg,
};
