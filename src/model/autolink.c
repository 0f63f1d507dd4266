/* autolink.c: links condition and medication names to topic pages when a post is rendered. */
#include "model/autolink.h"

#include <string.h>

#include "model/topic.h"
#include "model/vocab.h"
#include "render/markdown.h"

struct link_ctx {
	arena *a;
	const vocab *v;
	topic *topics;
	int nt;
	int64_t exclude;
	const char **used;
	int nused;
};

static const topic *topic_of(const struct link_ctx *x, const char *slug)
{
	for (int i = 0; i < x->nt; i++)
		if (strcmp(x->topics[i].slug, slug) == 0)
			return &x->topics[i];
	return NULL;
}

static int match(void *ctx, const char *const *words, int nwords, const char **url)
{
	struct link_ctx *x = ctx;
	const int *ents;
	int ne = 0;
	int k = vocab_match(x->v, words, nwords, &ents, &ne);
	for (int i = 0; i < ne && k > 0; i++) {
		const char *slug = vocab_entry_topic(x->v, vocab_entry_at(x->v, ents[i]));
		const topic *t = slug ? topic_of(x, slug) : NULL;
		if (!t || t->id == x->exclude)
			continue;
		bool seen = false;
		for (int u = 0; u < x->nused && !seen; u++)
			seen = strcmp(x->used[u], t->slug) == 0;
		if (seen)
			continue;
		x->used[x->nused++] = t->slug;
		*url = arena_printf(x->a, "/%s", t->slug);
		return k;
	}
	return 0;
}

char *autolink_render(dbc *c, arena *a, const char *md, size_t n, int64_t exclude_topic_id)
{
	const vocab *v = vocab_builtin();
	topic *ts;
	int nt = v && c ? topic_slugs(c, a, &ts) : -1;
	if (nt <= 0)
		return md_render(a, md, n);
	struct link_ctx x = {a, v, ts, nt, exclude_topic_id, ARENA_ARRAY(a, const char *, nt), 0};
	md_linker l = {match, &x};
	return md_render_linked(a, md, n, &l);
}

static const dbq q_topic_of = {"SELECT topic_id FROM questions WHERE id = $1", NULL};

char *autolink_render_answer(dbc *c, arena *a, const char *md, size_t n, int64_t question_id)
{
	int rc;
	int64_t tid = c ? db_scalar(c, &q_topic_of, DBP(dbi(question_id)), 0, &rc) : 0;
	return autolink_render(c, a, md, n, tid);
}
