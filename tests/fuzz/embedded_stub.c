/* embedded_stub.c: the fuzz build has no embedded files; templates come from the fuzzer. */
#include <stddef.h>
#include <string.h>

#include "core/embedded.h"

const struct embedded_file embedded_files[] = {{NULL, NULL, 0}};

const struct embedded_file *embedded_find(const char *name)
{
	(void)name;
	return NULL;
}
