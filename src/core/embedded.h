/* embedded.h: files compiled into the binary (templates, static assets, data, migrations). */
#ifndef CC_EMBEDDED_H
#define CC_EMBEDDED_H
#include <stddef.h>

struct embedded_file {
	const char *name; /* path relative to the source root, e.g. "templates/home.html" */
	const char *data; /* NUL-terminated */
	size_t len;
};

/* Terminated by an entry whose name is NULL. */
extern const struct embedded_file embedded_files[];

/* Returns the file with that exact name, or NULL. */
const struct embedded_file *embedded_find(const char *name);

#endif
