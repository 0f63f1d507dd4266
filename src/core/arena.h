/* arena.h: bump allocator owned by one request (or one job); freed in one call. */
#ifndef CC_ARENA_H
#define CC_ARENA_H
#include <stdbool.h>
#include <stddef.h>

typedef struct arena arena;

/* A new arena that refuses to grow past cap bytes (0 = default 64 MiB).
 * Aborts the process only if malloc itself fails. */
arena *arena_new(size_t cap);
void arena_free(arena *a);
/* Drops everything allocated but keeps the first chunk for reuse. */
void arena_reset(arena *a);

/* Returns zeroed-not-guaranteed memory aligned to 16 bytes. Past the cap the
 * arena sets its sticky over flag and still returns memory, so callers never
 * see NULL; the request layer answers 500 when arena_over() is true. */
void *arena_alloc(arena *a, size_t n);
void *arena_zalloc(arena *a, size_t n);
void *arena_realloc(arena *a, void *p, size_t old, size_t n);
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool arena_over(const arena *a);
size_t arena_used(const arena *a);

/* Registers fn(ctx) to run when the arena is freed or reset (LIFO). */
void arena_defer(arena *a, void (*fn)(void *), void *ctx);

#define ARENA_NEW(a, T) ((T *)arena_zalloc((a), sizeof(T)))
#define ARENA_ARRAY(a, T, n) ((T *)arena_zalloc((a), sizeof(T) * (size_t)(n)))

#endif
