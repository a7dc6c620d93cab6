/*
 * Image preprocessing hot loops: bilinear resize into a normalised CHW tensor, and 2x2 halving.
 *
 * These mirror src/vision/preprocess/resize-to-tensor.ts and mip-chain.ts, which stay the
 * reference (and the fallback when this addon is not built). In JavaScript they cost ~13 ms of a
 * ~48 ms 1080p detection; here the loops are plain C the compiler can vectorise.
 *
 * Tap positions are computed in double exactly as the JS does, so both sample the same pixels;
 * only the blending is done in float (the JS blends in double), which differs by a few float ulps.
 *
 * Every argument is checked before any memory is touched: a bad call throws a JS TypeError or
 * RangeError, it never reads or writes outside the typed arrays it was given.
 */
#include <math.h>
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIM 2147483647.0 /* sizes are JS array indices in practice; this keeps products in range */

/* ---- argument helpers: each throws and returns false on a bad value ---- */

static bool throw_type(napi_env env, const char *name, const char *what) {
  char msg[128];
  snprintf(msg, sizeof msg, "%s must be %s", name, what);
  napi_throw_type_error(env, NULL, msg);
  return false;
}

static bool throw_range(napi_env env, const char *msg) {
  napi_throw_range_error(env, NULL, msg);
  return false;
}

static bool get_number(napi_env env, napi_value v, const char *name, double *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) return throw_type(env, name, "a number");
  return napi_get_value_double(env, v, out) == napi_ok || throw_type(env, name, "a number");
}

static bool get_finite(napi_env env, napi_value v, const char *name, double *out) {
  if (!get_number(env, v, name, out)) return false;
  if (isfinite(*out)) return true;
  char msg[128];
  snprintf(msg, sizeof msg, "%s must be finite", name);
  return throw_range(env, msg);
}

/* A non-negative integer no larger than MAX_DIM (or `max`, for offsets). */
static bool get_size(napi_env env, napi_value v, const char *name, double max, int64_t *out) {
  double d;
  if (!get_number(env, v, name, &d)) return false;
  if (!(d >= 0 && d <= max && d == floor(d))) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s must be an integer in [0, %.0f]", name, max);
    return throw_range(env, msg);
  }
  *out = (int64_t)d;
  return true;
}

/* The typed array's elements, already advanced by its byteOffset (N-API does that). */
static bool get_typed(napi_env env, napi_value v, const char *name, napi_typedarray_type want,
                      const char *what, void **data, size_t *length) {
  bool is_typed = false;
  napi_typedarray_type type;
  if (napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed) return throw_type(env, name, what);
  if (napi_get_typedarray_info(env, v, &type, length, data, NULL, NULL) != napi_ok || type != want)
    return throw_type(env, name, what);
  return true;
}

static bool get_args(napi_env env, napi_callback_info info, size_t n, napi_value *argv) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return false;
  if (argc < n) {
    char msg[64];
    snprintf(msg, sizeof msg, "expected %zu arguments, got %zu", n, argc);
    napi_throw_type_error(env, NULL, msg);
    return false;
  }
  return true;
}

/* ---- resize ---- */

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__GLIBC__)
/*
 * An AVX2 clone picked at load time (ifunc, hence glibc only); the default clone keeps the build
 * portable. Used only where it measured faster: the byte-to-float row blend (~1.4x) and the
 * halving's byte averages (~1.1x).
 */
#define HOT __attribute__((target_clones("avx2", "default")))
#else
#define HOT
#endif

enum { MODE_RGB = 0, MODE_BGR = 1, MODE_GREY = 2 };

static const float GREY_W0 = 0.299f, GREY_W1 = 0.587f, GREY_W2 = 0.114f;

/*
 * Vertical pass: one source row pair blended and normalised into t. Normalising here, before the
 * horizontal pass, is exact in real arithmetic (the horizontal weights sum to 1) and runs on
 * contiguous bytes, where it vectorises.
 */
HOT static void blend_rows_rgb(const uint8_t *restrict a, const uint8_t *restrict b, float *restrict t,
                               size_t n, float k0, float k1, float bias) {
  for (size_t i = 0; i < n; i++) t[i] = (float)a[i] * k0 + (float)b[i] * k1 + bias;
}

static void blend_rows_grey(const uint8_t *restrict a, const uint8_t *restrict b, float *restrict t,
                            size_t n, float k0, float k1, float bias) {
  for (size_t i = 0; i < n; i++) {
    const uint8_t *p = a + 3 * i, *q = b + 3 * i;
    float ga = (float)p[0] * GREY_W0 + (float)p[1] * GREY_W1 + (float)p[2] * GREY_W2;
    float gb = (float)q[0] * GREY_W0 + (float)q[1] * GREY_W1 + (float)q[2] * GREY_W2;
    t[i] = ga * k0 + gb * k1 + bias;
  }
}

/*
 * Horizontal pass. x0 holds each output pixel's left tap as a float offset into t, wx the right
 * tap's weight; the right tap is always the next pixel, which t repeats past its last column (the
 * JS clamps that tap instead; both read the edge pixel there, with weight 0).
 */
#if defined(__GNUC__)
/*
 * Blending a pixel's three channels as one 4-lane vector (the 4th lane is the next pixel's red,
 * computed and dropped) and transposing four pixels into the three planes takes ~40% less time
 * than the scalar loop, which is bound by its nine loads per pixel.
 */
typedef float v4f __attribute__((vector_size(16)));

static inline v4f lerp_pixel(const float *p, float w) {
  v4f a, b;
  memcpy(&a, p, sizeof a);
  memcpy(&b, p + 3, sizeof b);
  v4f wv = {w, w, w, w};
  return a + wv * (b - a);
}

static void lerp_cols_rgb(const float *restrict t, const size_t *restrict x0, const float *restrict wx,
                          size_t dw, float *restrict o0, float *restrict o1, float *restrict o2) {
  size_t x = 0;
  for (; x + 4 <= dw; x += 4) {
    v4f p0 = lerp_pixel(t + x0[x], wx[x]), p1 = lerp_pixel(t + x0[x + 1], wx[x + 1]);
    v4f p2 = lerp_pixel(t + x0[x + 2], wx[x + 2]), p3 = lerp_pixel(t + x0[x + 3], wx[x + 3]);
    v4f c0 = {p0[0], p1[0], p2[0], p3[0]};
    v4f c1 = {p0[1], p1[1], p2[1], p3[1]};
    v4f c2 = {p0[2], p1[2], p2[2], p3[2]};
    memcpy(o0 + x, &c0, sizeof c0);
    memcpy(o1 + x, &c1, sizeof c1);
    memcpy(o2 + x, &c2, sizeof c2);
  }
  for (; x < dw; x++) {
    v4f p = lerp_pixel(t + x0[x], wx[x]);
    o0[x] = p[0];
    o1[x] = p[1];
    o2[x] = p[2];
  }
}
#else
static void lerp_cols_rgb(const float *restrict t, const size_t *restrict x0, const float *restrict wx,
                          size_t dw, float *restrict o0, float *restrict o1, float *restrict o2) {
  for (size_t x = 0; x < dw; x++) {
    const float *p = t + x0[x];
    float w = wx[x];
    o0[x] = p[0] + w * (p[3] - p[0]);
    o1[x] = p[1] + w * (p[4] - p[1]);
    o2[x] = p[2] + w * (p[5] - p[2]);
  }
}
#endif

static void lerp_cols_grey(const float *restrict t, const size_t *restrict x0, const float *restrict wx,
                           size_t dw, float *restrict o) {
  for (size_t x = 0; x < dw; x++) {
    const float *p = t + x0[x];
    o[x] = p[0] + wx[x] * (p[1] - p[0]);
  }
}

static void fill(float *p, size_t n, float v) {
  for (size_t i = 0; i < n; i++) p[i] = v;
}

typedef struct {
  const uint8_t *src;
  int64_t W, H;
  double sx, sy, sw, sh;
  int64_t dw, dh, tw, th;
  double mean, std, pad;
  int mode;
  float *out; /* already advanced by offset */
} resize_job;

/* Plane c of the output row y, honouring BGR's swapped first and last planes. */
static float *plane_row(const resize_job *j, int c, int64_t y) {
  size_t plane = (size_t)(j->tw * j->th);
  int p = (j->mode == MODE_BGR && c != 1) ? 2 - c : c;
  return j->out + (size_t)p * plane + (size_t)(y * j->tw);
}

static void pad_row(const resize_job *j, int channels, int64_t y, int64_t from, float pad_norm) {
  for (int c = 0; c < channels; c++) fill(plane_row(j, c, y) + from, (size_t)(j->tw - from), pad_norm);
}

/* The 1:1 case, as copyToTensor in the JS: a table lookup per byte (grey computed as the JS does). */
static void copy_to_tensor(const resize_job *j, int64_t sx, int64_t sy, float pad_norm) {
  double inv = 1 / j->std;
  int channels = j->mode == MODE_GREY ? 1 : 3;
  float lut[256];
  for (int v = 0; v < 256; v++) lut[v] = (float)((v - j->mean) * inv);
  size_t stride = (size_t)j->W * 3;
  for (int64_t y = 0; y < j->th; y++) {
    if (y >= j->dh) {
      pad_row(j, channels, y, 0, pad_norm);
      continue;
    }
    const uint8_t *s = j->src + (size_t)(sy + y) * stride + (size_t)sx * 3;
    if (channels == 1) {
      float *o = plane_row(j, 0, y);
      for (int64_t x = 0; x < j->dw; x++, s += 3)
        o[x] = (float)((s[0] * 0.299 + s[1] * 0.587 + s[2] * 0.114 - j->mean) * inv);
    } else {
      float *o0 = plane_row(j, 0, y), *o1 = plane_row(j, 1, y), *o2 = plane_row(j, 2, y);
      for (int64_t x = 0; x < j->dw; x++, s += 3) {
        o0[x] = lut[s[0]];
        o1[x] = lut[s[1]];
        o2[x] = lut[s[2]];
      }
    }
    if (j->dw < j->tw) pad_row(j, channels, y, j->dw, pad_norm);
  }
}

/* Returns false only when scratch memory cannot be allocated. */
static bool resize(const resize_job *j) {
  int channels = j->mode == MODE_GREY ? 1 : 3;
  double inv = 1 / j->std;
  float pad_norm = (float)((j->pad - j->mean) * inv);
  double scale_x = j->sw / (double)j->dw, scale_y = j->sh / (double)j->dh;

  bool inside = j->sx == floor(j->sx) && j->sy == floor(j->sy) && j->sx >= 0 && j->sy >= 0 &&
                j->sx + j->sw <= (double)j->W && j->sy + j->sh <= (double)j->H;
  /* Scale 1 means dw == sw; the copy reads dw columns, so that bound is checked on its own too. */
  if (scale_x == 1 && scale_y == 1 && inside && j->sx + (double)j->dw <= (double)j->W &&
      j->sy + (double)j->dh <= (double)j->H) {
    copy_to_tensor(j, (int64_t)j->sx, (int64_t)j->sy, pad_norm);
    return true;
  }
  if (j->dw == 0 || j->dh == 0) {
    for (int64_t y = 0; y < j->th; y++) pad_row(j, channels, y, y < j->dh ? j->dw : 0, pad_norm);
    return true;
  }

  /* Column taps, as the JS computes them (double positions, float fractions). */
  size_t dw = (size_t)j->dw;
  size_t *x0s = malloc(dw * sizeof *x0s);
  float *wxs = malloc(dw * sizeof *wxs);
  float *t = NULL;
  bool ok = x0s && wxs;
  int64_t lo = j->W - 1, hi = 0;
  size_t per = channels == 1 ? 1 : 3;
  if (ok) {
    double last = (double)(j->W - 1);
    for (size_t x = 0; x < dw; x++) {
      double fx = j->sx + ((double)x + 0.5) * scale_x - 0.5;
      if (fx < 0) fx = 0;
      if (fx > last) fx = last;
      int64_t x0 = (int64_t)floor(fx);
      wxs[x] = (float)(fx - (double)x0);
      if (x0 < lo) lo = x0;
      if (x0 > hi) hi = x0;
      x0s[x] = (size_t)x0;
    }
    /* Only the source columns some tap reads are blended vertically (crops read a small window). */
    for (size_t x = 0; x < dw; x++) x0s[x] = (x0s[x] - (size_t)lo) * per;
    /* One pixel past the last left tap is the right tap's, plus a float the RGB vector loads read. */
    t = malloc(((size_t)(hi - lo) + 3) * per * sizeof *t);
    ok = t != NULL;
  }
  if (ok) {
    int64_t end = hi + 1 < j->W ? hi + 1 : j->W - 1; /* the last column a right tap reads */
    size_t stride = (size_t)j->W * 3, cols = (size_t)(end - lo + 1);
    float bias = (float)(-j->mean * inv);
    double last = (double)(j->H - 1);
    for (size_t i = cols * per; i < ((size_t)(hi - lo) + 3) * per; i++) t[i] = 0;
    for (int64_t y = 0; y < j->th; y++) {
      if (y >= j->dh) {
        pad_row(j, channels, y, 0, pad_norm);
        continue;
      }
      double fy = j->sy + ((double)y + 0.5) * scale_y - 0.5;
      if (fy < 0) fy = 0;
      if (fy > last) fy = last;
      int64_t y0 = (int64_t)floor(fy);
      int64_t y1 = y0 + 1 < j->H ? y0 + 1 : j->H - 1;
      double wy = fy - (double)y0;
      const uint8_t *a = j->src + (size_t)y0 * stride + (size_t)lo * 3;
      const uint8_t *b = j->src + (size_t)y1 * stride + (size_t)lo * 3;
      float k0 = (float)((1 - wy) * inv), k1 = (float)(wy * inv);
      if (channels == 1) blend_rows_grey(a, b, t, cols, k0, k1, bias);
      else blend_rows_rgb(a, b, t, cols * 3, k0, k1, bias);
      /* At the right edge the JS clamps the right tap onto the last pixel: repeat that pixel. */
      if (end == hi)
        for (size_t c = 0; c < per; c++) t[cols * per + c] = t[(cols - 1) * per + c];
      if (channels == 1)
        lerp_cols_grey(t, x0s, wxs, dw, plane_row(j, 0, y));
      else
        lerp_cols_rgb(t, x0s, wxs, dw, plane_row(j, 0, y), plane_row(j, 1, y), plane_row(j, 2, y));
      if (j->dw < j->tw) pad_row(j, channels, y, j->dw, pad_norm);
    }
  }
  free(x0s);
  free(wxs);
  free(t);
  return ok;
}

/*
 * resizeToTensor(src, width, height, sx, sy, sw, sh, dw, dh, tw, th, mean, std, padValue, mode,
 *                out, offset): see ResizeRequest in resize-to-tensor.ts. padValue undefined/null
 * means mean; mode 0 RGB, 1 BGR, 2 GREY.
 */
static napi_value resize_to_tensor(napi_env env, napi_callback_info info) {
  napi_value argv[17];
  if (!get_args(env, info, 17, argv)) return NULL;
  resize_job j;
  void *src, *out;
  size_t src_len, out_len;
  int64_t mode, offset;
  if (!get_typed(env, argv[0], "src", napi_uint8_array, "a Uint8Array", &src, &src_len) ||
      !get_size(env, argv[1], "width", MAX_DIM, &j.W) || !get_size(env, argv[2], "height", MAX_DIM, &j.H) ||
      !get_finite(env, argv[3], "sx", &j.sx) || !get_finite(env, argv[4], "sy", &j.sy) ||
      !get_finite(env, argv[5], "sw", &j.sw) || !get_finite(env, argv[6], "sh", &j.sh) ||
      !get_size(env, argv[7], "dw", MAX_DIM, &j.dw) || !get_size(env, argv[8], "dh", MAX_DIM, &j.dh) ||
      !get_size(env, argv[9], "tw", MAX_DIM, &j.tw) || !get_size(env, argv[10], "th", MAX_DIM, &j.th) ||
      !get_number(env, argv[11], "mean", &j.mean) || !get_number(env, argv[12], "std", &j.std))
    return NULL;
  napi_valuetype pad_type;
  if (napi_typeof(env, argv[13], &pad_type) != napi_ok) return NULL;
  if (pad_type == napi_undefined || pad_type == napi_null)
    j.pad = j.mean;
  else if (!get_number(env, argv[13], "padValue", &j.pad))
    return NULL;
  if (!get_size(env, argv[14], "mode", 2, &mode) ||
      !get_typed(env, argv[15], "out", napi_float32_array, "a Float32Array", &out, &out_len) ||
      !get_size(env, argv[16], "offset", 9007199254740991.0, &offset))
    return NULL;
  j.mode = (int)mode;

  /* Sizes are below 2^31, so these products are exact in double and cannot wrap. */
  if ((double)src_len < (double)j.W * (double)j.H * 3) {
    throw_range(env, "source shorter than width * height * 3");
    return NULL;
  }
  if (j.dw > j.tw || j.dh > j.th) {
    throw_range(env, "content (dw x dh) larger than the tensor plane (tw x th)");
    return NULL;
  }
  if (j.dw > 0 && j.dh > 0 && (j.W == 0 || j.H == 0)) {
    throw_range(env, "empty source image");
    return NULL;
  }
  double need = (double)offset + (double)j.tw * (double)j.th * (j.mode == MODE_GREY ? 1 : 3);
  if ((double)out_len < need) {
    throw_range(env, "tensor buffer too small");
    return NULL;
  }
  j.src = src;
  j.out = (float *)out + offset;
  if (!resize(&j)) napi_throw_error(env, NULL, "out of memory");
  return NULL;
}

/* ---- halving ---- */

/*
 * Each output byte is the rounded mean of a 2x2 block. The naive loop (stride-6 reads, stride-3
 * writes) does not vectorise; averaging every byte with the one a pixel to its right does, and
 * the output then keeps 3 of every 6 averages. That is ~2x faster, in chunks that stay in L1.
 */
#define HALVE_CHUNK 64 /* output pixels per chunk */

HOT static void average_quads(const uint8_t *restrict a, const uint8_t *restrict b, uint8_t *restrict v,
                              size_t n) {
  for (size_t i = 0; i < n; i++) v[i] = (uint8_t)((a[i] + a[i + 3] + b[i] + b[i + 3] + 2) >> 2);
}

static void halve_rows(const uint8_t *a, const uint8_t *b, uint8_t *o, size_t w) {
  uint8_t v[6 * HALVE_CHUNK - 2];
  for (size_t x = 0; x < w; x += HALVE_CHUNK) {
    size_t n = w - x < HALVE_CHUNK ? w - x : HALVE_CHUNK;
    /* 4-byte copies are cheaper than 3-byte ones; each spills into the next pixel, written after. */
    size_t last = x + n < w ? n : n - 1; /* pixels copied 4 bytes at a time */
    average_quads(a + 6 * x, b + 6 * x, v, last < n ? 6 * last + 3 : 6 * last - 2);
    uint8_t *d = o + 3 * x;
    for (size_t k = 0; k < last; k++) memcpy(d + 3 * k, v + 6 * k, 4);
    if (last < n) memcpy(d + 3 * last, v + 6 * last, 3);
  }
}

/* halveImage(src, width, height, out): out receives (width >> 1) x (height >> 1) RGB pixels. */
static napi_value halve_image(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!get_args(env, info, 4, argv)) return NULL;
  void *src, *out;
  size_t src_len, out_len;
  int64_t W, H;
  if (!get_typed(env, argv[0], "src", napi_uint8_array, "a Uint8Array", &src, &src_len) ||
      !get_size(env, argv[1], "width", MAX_DIM, &W) || !get_size(env, argv[2], "height", MAX_DIM, &H) ||
      !get_typed(env, argv[3], "out", napi_uint8_array, "a Uint8Array", &out, &out_len))
    return NULL;
  if ((double)src_len < (double)W * (double)H * 3) {
    throw_range(env, "source shorter than width * height * 3");
    return NULL;
  }
  int64_t w = W >> 1, h = H >> 1;
  if ((double)out_len < (double)w * (double)h * 3) {
    throw_range(env, "output shorter than (width >> 1) * (height >> 1) * 3");
    return NULL;
  }
  size_t stride = (size_t)W * 3;
  for (int64_t y = 0; y < h; y++) {
    const uint8_t *a = (const uint8_t *)src + (size_t)(2 * y) * stride;
    halve_rows(a, a + stride, (uint8_t *)out + (size_t)(y * w) * 3, (size_t)w);
  }
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "resizeToTensor", NAPI_AUTO_LENGTH, resize_to_tensor, NULL, &fn);
  napi_set_named_property(env, exports, "resizeToTensor", fn);
  napi_create_function(env, "halveImage", NAPI_AUTO_LENGTH, halve_image, NULL, &fn);
  napi_set_named_property(env, exports, "halveImage", fn);
  return exports;
}
