/*
 * iov.h - bookkeeping of a partly written iovec array (writev may take
 * less than it was given).
 */
#ifndef SESH_BASE_IOV_H
#define SESH_BASE_IOV_H

#include <stddef.h>
#include <sys/uio.h>

/*
 * Moves past w bytes written from iov[*i], ..., iov[n - 1]: buffers taken
 * whole are skipped (*i advances past them, and past empty ones that
 * follow), the first one left is trimmed at its start. w larger than
 * what is left is taken as all of it (*i becomes n).
 */
void iov_advance(struct iovec *iov, unsigned n, unsigned *i, size_t w);

#endif
