/*
 * server_trim.c - gives back memory a connection's process no longer
 * needs once it is authenticated (and split): the free heap pages
 * (malloc_trim) and the stack pages below the caller's frame that key
 * exchange and authentication touched (MADV_DONTNEED: they read as
 * zeros when used again). An idle session then keeps only what its
 * steady state uses. Best effort: failures change nothing.
 */
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "app/server_trim.h"

/* Kept mapped below the caller's frame: the frames it is about to call
 * (the engine, poll, a signal handler) start here; this function's own
 * callees (madvise) run a few hundred bytes below it. */
#define TRIM_STACK_KEEP (16u * 1024u)

/* The bounds of the [stack] mapping in *low, *top; false if unknown. */
static bool
stack_bounds(uintptr_t *low, uintptr_t *top)
{
	char line[256];
	unsigned long lo, hi;
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "re");

	if (f == NULL) {
		return false;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, "[stack]") != NULL &&
		    sscanf(line, "%lx-%lx", &lo, &hi) == 2) {
			*low = (uintptr_t)lo;
			*top = (uintptr_t)hi;
			found = true;
			break;
		}
	}
	(void)fclose(f);
	return found;
}

static __attribute__((noinline)) void
trim_stack(void)
{
	volatile char here = 0;
	uintptr_t sp = (uintptr_t)&here, low = 0, top = 0, high;
	long pg = sysconf(_SC_PAGESIZE);

	if (pg <= 0) {
		return;
	}
	/* sp outside the mapping: not the main thread's stack (or a
	 * sanitizer's fake frame): leave it alone */
	if (!stack_bounds(&low, &top) || sp >= top ||
	    sp < low + TRIM_STACK_KEEP) {
		return;
	}
	high = (sp - TRIM_STACK_KEEP) & ~((uintptr_t)pg - 1u);
	if (high > low) {
		(void)madvise((void *)low, high - low, MADV_DONTNEED);
	}
	(void)here;
}

void
server_trim_memory(void)
{
	(void)malloc_trim(0);
	trim_stack();
}
