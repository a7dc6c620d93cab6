/*
 * Per-thread floating-point mode for the threads that run ONNX Runtime.
 *
 * onnxruntime's session option "session.set_denormal_as_zero" reaches only the first thread that
 * creates a session in the process (plus the session's own pool threads); every other
 * worker_thread that runs a model with one intra-op thread keeps IEEE denormals. fr_feature's
 * activations decay into denormals, which Intel cores compute in microcode (~8x slower per face),
 * so each inference thread sets flush-to-zero and denormals-are-zero on itself through this addon.
 */
#include <node_api.h>
#include <stdbool.h>

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#include <xmmintrin.h>
#define ARGUS_FTZ_DAZ 0x8040u /* MXCSR bit 15 (FTZ) | bit 6 (DAZ) */
static bool set_flush(void) {
  _mm_setcsr(_mm_getcsr() | ARGUS_FTZ_DAZ);
  return (_mm_getcsr() & ARGUS_FTZ_DAZ) == ARGUS_FTZ_DAZ;
}
#elif defined(__aarch64__)
static bool set_flush(void) {
  unsigned long fpcr;
  __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
  fpcr |= (1ul << 24); /* FZ */
  __asm__ volatile("msr fpcr, %0" : : "r"(fpcr));
  __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
  return (fpcr & (1ul << 24)) != 0;
}
#else
static bool set_flush(void) { return false; }
#endif

static napi_value flush_denormals(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_get_boolean(env, set_flush(), &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "flushDenormals", NAPI_AUTO_LENGTH, flush_denormals, NULL, &fn);
  napi_set_named_property(env, exports, "flushDenormals", fn);
  return exports;
}
