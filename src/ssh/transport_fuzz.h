/*
 * transport_fuzz.h - a fuzz-only hook on the transport's sealing point,
 * for the stateful fuzz target fuzz/fuzz_pair_replace.c. It exists only
 * when FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION is defined (CMake
 * defines it for SESH_FUZZ builds); normal builds contain neither the
 * hook nor transport_fuzz_seal (check: nm seshd | grep transport_fuzz).
 *
 * While transport_fuzz_send_hook is set, every payload a transport
 * would seal (transport and service messages alike, in sending order,
 * before encryption) goes to the hook instead. The hook decides what
 * is really sent: nothing, the payload, other bytes, or several
 * payloads, each sealed with transport_fuzz_seal(). Its return value
 * is what the sealing would have returned (0, or a fatal error). The
 * transport's own state is unaffected: it believes it sent its
 * payload. Single-threaded use only (process-wide hook).
 */
#ifndef SESH_SSH_TRANSPORT_FUZZ_H
#define SESH_SSH_TRANSPORT_FUZZ_H

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION

#include <stddef.h>
#include <stdint.h>

struct transport;

typedef int (*transport_fuzz_send_fn)(void *ctx, struct transport *t,
                                      const uint8_t *p, size_t n);

extern transport_fuzz_send_fn transport_fuzz_send_hook;
extern void *transport_fuzz_send_ctx;

/* Seals p[0..n) on t's output now, bypassing the hook (pkt_seal). */
int transport_fuzz_seal(struct transport *t, const uint8_t *p, size_t n);

#endif

#endif
