/*
 * iov.c - see iov.h.
 */
#include "base/iov.h"

#include <stdint.h>

void
iov_advance(struct iovec *iov, unsigned n, unsigned *i, size_t w)
{
	while (*i < n && w >= iov[*i].iov_len) {
		w -= iov[*i].iov_len;
		(*i)++;
	}
	if (*i < n && w > 0) {
		iov[*i].iov_base = (uint8_t *)iov[*i].iov_base + w;
		iov[*i].iov_len -= w;
	}
}
