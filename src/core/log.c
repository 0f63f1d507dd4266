/* log.c: logfmt lines "ts=… level=… msg" written atomically to stderr. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum log_level min_level = LOG_INFO;

void log_set_level(enum log_level l)
{
	min_level = l;
}

int log_parse_level(const char *s)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	for (int i = 0; i < 4; i++)
		if (s && strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

void log_msg(enum log_level l, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	if (l < min_level)
		return;
	char line[2048];
	struct timeval tv;
	gettimeofday(&tv, NULL);
	struct tm tm;
	time_t t = tv.tv_sec;
	gmtime_r(&t, &tm);
	int n = (int)strftime(line, sizeof line, "ts=%Y-%m-%dT%H:%M:%S", &tm);
	n += snprintf(line + n, sizeof line - (size_t)n, ".%03dZ level=%s ", (int)(tv.tv_usec / 1000),
	              names[l]);
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	/* One write(2) so lines from several threads never interleave. */
	ssize_t w = write(STDERR_FILENO, line, (size_t)n);
	(void)w;
}
