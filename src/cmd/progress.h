/* progress.h: a one-line progress bar on standard error, drawn only when it is a terminal. */
#ifndef CC_PROGRESS_H
#define CC_PROGRESS_H
#include <stdbool.h>

typedef struct progress {
	const char *label;
	long total;
	bool tty;
	int last_pct;
} progress;

void progress_start(progress *p, const char *label, long total);
/* Redraws when the percentage changes; total may be updated as it becomes known. */
void progress_update(progress *p, long done, long total);
/* Finishes the line (draws 100%). */
void progress_done(progress *p);

#endif
