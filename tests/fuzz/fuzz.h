/* fuzz.h: shared helpers for the libFuzzer targets (a failed check aborts with a message). */
#ifndef CC_FUZZ_H
#define CC_FUZZ_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                 \
	do {                                                                                 \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
			abort();                                                                     \
		}                                                                                \
	} while (0)

/* Splits the input at the first byte 0xFF: the part before goes to *a, the rest to *b. */
static inline void fuzz_split(const uint8_t *d, size_t n, const char **a, size_t *an, const char **b,
                              size_t *bn)
{
	const uint8_t *sep = memchr(d, 0xFF, n);
	*a = (const char *)d;
	*an = sep ? (size_t)(sep - d) : n;
	*b = sep ? (const char *)sep + 1 : (const char *)d + n;
	*bn = sep ? n - *an - 1 : 0;
}

/* A NUL-terminated heap copy (so ASan sees reads past the end of the original bytes). */
static inline char *fuzz_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

#endif
