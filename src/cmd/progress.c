/* progress.c: a one-line progress bar on standard error, only on a terminal. */
#include "cmd/progress.h"

#include <stdio.h>
#include <unistd.h>

void progress_start(progress *p, const char *label, long total)
{
	p->label = label;
	p->total = total;
	p->tty = isatty(2);
	p->last_pct = -1;
}

void progress_update(progress *p, long done, long total)
{
	if (total > 0)
		p->total = total;
	if (!p->tty || p->total <= 0)
		return;
	int pct = (int)(done * 100 / p->total);
	if (pct > 100)
		pct = 100;
	if (pct == p->last_pct)
		return;
	p->last_pct = pct;
	char bar[31];
	int fill = pct * 30 / 100;
	for (int i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : ' ';
	bar[30] = 0;
	fprintf(stderr, "\r%-10s [%s] %3d%% %ld/%ld", p->label, bar, pct, done, p->total);
	fflush(stderr);
}

void progress_done(progress *p)
{
	if (!p->tty)
		return;
	progress_update(p, p->total, p->total);
	fputc('\n', stderr);
}
