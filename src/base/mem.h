/*
 * mem.h - memory helpers: wiping secrets, checked size arithmetic,
 * overflow-safe array allocation.
 */
#ifndef SESH_BASE_MEM_H
#define SESH_BASE_MEM_H

#include <stdbool.h>
#include <stddef.h>

/* Wipes n bytes so that the compiler cannot elide it. */
void mem_wipe(void *p, size_t n);
/* Wipes then frees; NULL-safe. */
void mem_free_secret(void *p, size_t n);
/* Wipes a NUL-terminated string and frees it; NULL-safe. */
void mem_free_string_secret(char *s);
/* Constant-time comparison of two n-byte regions: true when equal. */
bool mem_equal_ct(const void *a, const void *b, size_t n);
/* *out = a + b, false on overflow. */
bool size_add(size_t a, size_t b, size_t *out);
/* *out = a * b, false on overflow. */
bool size_mul(size_t a, size_t b, size_t *out);
/* calloc-like array allocation that fails on overflow. */
void *mem_array(size_t nmemb, size_t size);
/* strdup that returns NULL on NULL. */
char *mem_strdup(const char *s);
/* Frees a NULL-terminated array of heap strings and the array;
 * NULL-safe. */
void mem_strv_free(char **v);

#endif
