/*
 * sntrup761.h - Streamlined NTRU Prime sntrup761, the key encapsulation
 * mechanism of the NTRU Prime submission (round 3: p = 761, q = 4591,
 * w = 286, ring Z[x]/(x^761 - x - 1)), as OpenSSH's
 * sntrup761x25519-sha512 uses it. Written from the specification; no
 * libcrypto primitive besides SHA-512.
 *
 * Sizes: public key 1158 bytes, secret key 1763 (f, 1/g mod 3, the
 * public key, the implicit-rejection value rho and SHA-512(4 || pk)
 * truncated), ciphertext 1039 (rounded h*r || confirmation hash),
 * shared secret 32.
 *
 * Randomness comes only from the rand function given (same shape as
 * ssh_rand_fn), read in whole blocks: key generation reads 761 * 4 bytes
 * per candidate g (redrawn while g is not invertible mod 3, rare), 761 *
 * 4 bytes for f, then 191 bytes of rho; encapsulation reads 761 * 4
 * bytes for r. Equal random bytes give equal outputs (deterministic
 * tests).
 *
 * Constant time: no branch or table index depends on secret values
 * (masks for selection, a sorting network for the fixed-weight vectors,
 * divsteps for the inverses, a masked choice of the implicit-rejection
 * secret in decapsulation). Every secret intermediate is wiped.
 *
 * Decapsulation never fails on a well-sized ciphertext: a ciphertext that
 * does not re-encrypt to itself yields SHA-512(0 || SHA-512(3 || rho) ||
 * ct) truncated, the implicit-rejection secret.
 *
 * Errors: SESH_ERR_INVALID_ARGUMENT (NULL pointers), SESH_ERR_CRYPTO (hash
 * failure; key generation that found no invertible g in 32 draws), the
 * rand function's error, SESH_ERR_NOMEM. Outputs are written only on
 * success (zeroed on error).
 */
#ifndef SESH_CRYPTO_SNTRUP761_H
#define SESH_CRYPTO_SNTRUP761_H

#include <stddef.h>
#include <stdint.h>

#define SNTRUP761_PK_LEN 1158
#define SNTRUP761_SK_LEN 1763
#define SNTRUP761_CT_LEN 1039
#define SNTRUP761_SS_LEN 32

/* Fills p with n random bytes; 0 or a negative SESH_ERR_* code. */
typedef int (*sntrup761_rand_fn)(void *ctx, void *p, size_t n);

int sntrup761_keypair(sntrup761_rand_fn rand, void *rand_ctx,
                      uint8_t pk[SNTRUP761_PK_LEN],
                      uint8_t sk[SNTRUP761_SK_LEN]);

int sntrup761_enc(sntrup761_rand_fn rand, void *rand_ctx,
                  const uint8_t pk[SNTRUP761_PK_LEN],
                  uint8_t ct[SNTRUP761_CT_LEN], uint8_t ss[SNTRUP761_SS_LEN]);

int sntrup761_dec(const uint8_t sk[SNTRUP761_SK_LEN],
                  const uint8_t ct[SNTRUP761_CT_LEN],
                  uint8_t ss[SNTRUP761_SS_LEN]);

#endif
