/* mem.c - see mem.h. */
#define _DEFAULT_SOURCE
#include "base/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void
mem_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}

void
mem_free_secret(void *p, size_t n)
{
	if (p == NULL)
		return;
	mem_wipe(p, n);
	free(p);
}

void
mem_free_string_secret(char *s)
{
	if (s == NULL)
		return;
	mem_wipe(s, strlen(s));
	free(s);
}

bool
mem_equal_ct(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

bool
size_add(size_t a, size_t b, size_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

bool
size_mul(size_t a, size_t b, size_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

void *
mem_array(size_t nmemb, size_t size)
{
	size_t total;

	if (!size_mul(nmemb, size, &total))
		return NULL;
	return calloc(nmemb == 0 ? 1 : nmemb, size == 0 ? 1 : size);
}

char *
mem_strdup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

void
mem_strv_free(char **v)
{
	size_t i;

	if (v == NULL) {
		return;
	}
	for (i = 0; v[i] != NULL; i++) {
		free(v[i]);
	}
	free(v);
}
