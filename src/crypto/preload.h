/*
 * preload.h - readies libcrypto for a process that is about to lose the
 * right to open files: seshd's sandboxed pre-authentication child
 * (app/sandbox.h) calls crypto_preload() before its seccomp filter goes
 * on.
 *
 * OpenSSL 3 loads lazily: the configuration file, the default provider,
 * each algorithm's implementation (on first fetch) and the random
 * generator's seed (on first use). Any of those done later, under the
 * filter, would be an open(2) or similar and kill the process. This
 * loads the configuration, fetches every algorithm the engine uses (so
 * the method store caches them) and instantiates and draws from the
 * public and private DRBGs (their reseeds later use getrandom(2), which
 * the filter allows).
 */
#ifndef SESH_CRYPTO_PRELOAD_H
#define SESH_CRYPTO_PRELOAD_H

/* Idempotent. 0 or SESH_ERR_CRYPTO (logged, naming what failed). */
int crypto_preload(void);

#endif
