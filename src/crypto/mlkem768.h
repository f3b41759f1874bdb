/*
 * mlkem768.h - ML-KEM-768 (FIPS 203: module-lattice key encapsulation,
 * k = 3, eta1 = eta2 = 2, du = 10, dv = 4), written from the standard,
 * with SHA3-256, SHA3-512, SHAKE128 and SHAKE256 from sha3.h.
 *
 * Sizes: encapsulation (public) key 1184 bytes, decapsulation (secret)
 * key 2400 (FIPS 203 layout: dk_PKE || ek || H(ek) || z), ciphertext
 * 1088, shared secret 32.
 *
 * The _derand functions are FIPS 203's internal algorithms
 * (ML-KEM.KeyGen_internal from the seeds d and z, ML-KEM.Encaps_internal
 * from the message m): the known-answer tests drive them. The others
 * draw those 64 (d || z) or 32 (m) bytes from the rand function given
 * (same shape as ssh_rand_fn).
 *
 * Input checks (FIPS 203 §7.2, §7.3): encapsulation refuses a public key
 * whose 12-bit coefficients are not all below q (SESH_ERR_INVALID_KEY);
 * decapsulation refuses a secret key whose stored H(ek) does not match
 * (SESH_ERR_INVALID_KEY). Lengths are fixed by the types.
 *
 * Decapsulation of a ciphertext that does not re-encrypt to itself
 * returns the implicit-rejection secret J(z || c) = SHAKE256(z || c, 32),
 * chosen by a mask, never by a branch.
 *
 * Constant time: no branch or table index depends on secret values (the
 * NTT's twiddle indices and the rejection sampling of the public matrix
 * depend on public data only; compression divides by q with a
 * multiplication). Every secret intermediate is wiped.
 *
 * Errors: SESH_ERR_INVALID_ARGUMENT (NULL pointers), SESH_ERR_INVALID_KEY,
 * SESH_ERR_CRYPTO, SESH_ERR_NOMEM, the rand function's error. Outputs are
 * written only on success (zeroed on error).
 */
#ifndef SESH_CRYPTO_MLKEM768_H
#define SESH_CRYPTO_MLKEM768_H

#include <stddef.h>
#include <stdint.h>

#define MLKEM768_PK_LEN   1184
#define MLKEM768_SK_LEN   2400
#define MLKEM768_CT_LEN   1088
#define MLKEM768_SS_LEN   32
#define MLKEM768_SEED_LEN 32 /* d, z and m */

/* Fills p with n random bytes; 0 or a negative SESH_ERR_* code. */
typedef int (*mlkem768_rand_fn)(void *ctx, void *p, size_t n);

int mlkem768_keypair_derand(const uint8_t d[MLKEM768_SEED_LEN],
                            const uint8_t z[MLKEM768_SEED_LEN],
                            uint8_t pk[MLKEM768_PK_LEN],
                            uint8_t sk[MLKEM768_SK_LEN]);
int mlkem768_keypair(mlkem768_rand_fn rand, void *rand_ctx,
                     uint8_t pk[MLKEM768_PK_LEN], uint8_t sk[MLKEM768_SK_LEN]);

int mlkem768_enc_derand(const uint8_t pk[MLKEM768_PK_LEN],
                        const uint8_t m[MLKEM768_SEED_LEN],
                        uint8_t ct[MLKEM768_CT_LEN],
                        uint8_t ss[MLKEM768_SS_LEN]);
int mlkem768_enc(mlkem768_rand_fn rand, void *rand_ctx,
                 const uint8_t pk[MLKEM768_PK_LEN], uint8_t ct[MLKEM768_CT_LEN],
                 uint8_t ss[MLKEM768_SS_LEN]);

int mlkem768_dec(const uint8_t sk[MLKEM768_SK_LEN],
                 const uint8_t ct[MLKEM768_CT_LEN],
                 uint8_t ss[MLKEM768_SS_LEN]);

#endif
