/*
 * env.h - what the sans-I/O engine takes from its environment.
 *
 * The engine never calls the global RNG, a clock or a logger itself; the
 * application hands those in: the randomness source used by the packet
 * layer (padding), KEXINIT (cookie) and the key exchange (every
 * ephemeral private key). Time comes in as plain numbers (milliseconds,
 * monotonic) through conn_input()/conn_tick() and transport_tick().
 */
#ifndef SESH_SSH_ENV_H
#define SESH_SSH_ENV_H

#include <stddef.h>

/*
 * Fills p with n random bytes. Returns 0 or a negative SESH_ERR_* code
 * (which the caller passes on). ctx is the pointer given with the
 * function. A production engine passes a wrapper of rand_bytes(); tests
 * pass a deterministic one.
 */
typedef int (*ssh_rand_fn)(void *ctx, void *p, size_t n);

#endif
