/*
 * noatexit.h - libcrypto without its exit-time cleanup, for short-lived
 * processes.
 */
#ifndef SESH_CRYPTO_NOATEXIT_H
#define SESH_CRYPTO_NOATEXIT_H

/*
 * Tells libcrypto not to register OPENSSL_cleanup with atexit(): at
 * exit() the process then skips freeing every provider, algorithm table
 * and error string one by one (~0.2 ms of seshd -R's CPU per
 * connection) and the kernel takes the address space back at once.
 * Keys are wiped by their own frees (key_free), which are unaffected.
 * Takes effect only as the process's first libcrypto initialisation;
 * call it first thing in main. Returns 0 or SESH_ERR_CRYPTO.
 */
int crypto_no_atexit(void);

#endif
