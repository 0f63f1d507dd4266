/* tmpl.c: parse templates into flat op lists once; render them against arena values. */
#include "render/tmpl.h"

#include <link.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"

/* ---- values ---- */

enum tv_type { TV_NULL, TV_STR, TV_INT, TV_BOOL, TV_HTML, TV_LIST, TV_OBJ };

struct tval {
	enum tv_type t;
	arena *a;
	int n, cap;
	union {
		struct {
			const char *s;
			size_t len;
		} str;
		int64_t i;
		bool b;
		struct {
			const char **keys; /* objects only */
			uint32_t *hashes;  /* objects only: key_hash of each key, compared before the key */
			tval **vals;
			/* Objects with many keys: an open-addressing table of key positions + 1 (0 =
			 * empty), built at the first lookup, dropped by a later tv_put. */
			uint16_t *idx;
			uint32_t idx_mask;
		} c;
	} u;
};

/* FNV-1a: keys are short names; a page renders thousands of lookups, so each compares a
 * number first and the string only on a match. */
static uint32_t key_hash(const char *k)
{
	uint32_t h = 2166136261u;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 16777619u;
	return h;
}

/* ---- key names ----
 *
 * Every name a template looks up is interned when the template is parsed: one copy per name.
 * tv_put stores a key as that copy when it is one of those names, so a lookup that finds the
 * key's hash compares one pointer, not the strings. Keys come mostly from string literals:
 * the first time a literal is seen it is compared by its text, then remembered beside the
 * name (only addresses in the program's read-only segments, whose text cannot change), so
 * later puts of the same literal need no string compare either. Any key still works: a key
 * that is not interned (a name no template uses, a key put before its template was added, a
 * key built at run time) is compared by its text when the hashes match.
 *
 * The table is built by tmpl_init and tmpl_add, before requests are served; while serving it
 * is only read, apart from the remembered literals (atomic slots). */

enum { INAME_ALIASES = 4 };
struct iname {
	uint32_t h;
	char *s; /* NULL: empty slot */
	_Atomic(const char *) alias[INAME_ALIASES];
};
static struct iname *inames;
static uint32_t inames_mask; /* size - 1; size 0 while empty */
static uint32_t ninames;

struct ro_range {
	uintptr_t lo, hi;
};
static struct ro_range ro[8];
static int nro = -1; /* -1: not read yet */

static int ro_segments(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	/* The first object is the program itself: its literals are what keys are made of. */
	for (int i = 0; i < info->dlpi_phnum && nro < (int)(sizeof ro / sizeof ro[0]); i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD && !(ph->p_flags & PF_W))
			ro[nro++] = (struct ro_range){info->dlpi_addr + ph->p_vaddr, info->dlpi_addr + ph->p_vaddr + ph->p_memsz};
	}
	return 1;
}

static bool read_only(const char *p)
{
	for (int i = 0; i < nro; i++)
		if ((uintptr_t)p >= ro[i].lo && (uintptr_t)p < ro[i].hi)
			return true;
	return false;
}

static void iname_place(struct iname *t, uint32_t mask, uint32_t h, char *s)
{
	uint32_t k = h & mask;
	while (t[k].s)
		k = (k + 1) & mask;
	t[k].h = h;
	t[k].s = s;
}

/* The interned copy of name (n bytes), added if new. Start-up only (not thread-safe). */
static const char *iname_add(const char *name, size_t n)
{
	char *tmp = strndup(name, n);
	uint32_t h = key_hash(tmp);
	if (inames_mask)
		for (uint32_t k = h & inames_mask; inames[k].s; k = (k + 1) & inames_mask)
			if (inames[k].h == h && strcmp(inames[k].s, tmp) == 0) {
				free(tmp);
				return inames[k].s;
			}
	if (nro < 0) {
		nro = 0;
		dl_iterate_phdr(ro_segments, NULL);
	}
	if (2 * (ninames + 1) > inames_mask) { /* at most half full */
		uint32_t size = inames_mask ? 2 * (inames_mask + 1) : 256;
		struct iname *t = calloc(size, sizeof *t);
		for (uint32_t i = 0; inames_mask && i <= inames_mask; i++)
			if (inames[i].s)
				iname_place(t, size - 1, inames[i].h, inames[i].s);
		free(inames);
		inames = t;
		inames_mask = size - 1;
	}
	iname_place(inames, inames_mask, h, tmp);
	ninames++;
	return tmp;
}

/* key as its interned copy when a template uses that name, else key itself. */
static const char *iname_of(const char *key, uint32_t h)
{
	if (!inames_mask)
		return key;
	for (uint32_t k = h & inames_mask; inames[k].s; k = (k + 1) & inames_mask) {
		struct iname *e = &inames[k];
		if (e->h != h)
			continue;
		if (e->s == key)
			return key;
		for (int i = 0; i < INAME_ALIASES; i++) {
			const char *al = atomic_load_explicit(&e->alias[i], memory_order_relaxed);
			if (al == key)
				return e->s;
			if (!al)
				break;
		}
		if (strcmp(e->s, key) != 0)
			continue;
		if (read_only(key))
			for (int i = 0; i < INAME_ALIASES; i++) {
				const char *none = NULL;
				if (atomic_compare_exchange_strong_explicit(&e->alias[i], &none, key, memory_order_relaxed,
				                                            memory_order_relaxed) ||
				    none == key)
					break;
			}
		return e->s;
	}
	return key;
}

static void inames_free(void)
{
	for (uint32_t i = 0; inames_mask && i <= inames_mask; i++)
		free(inames[i].s);
	free(inames);
	inames = NULL;
	inames_mask = ninames = 0;
}

static tval *tv_new(arena *a, enum tv_type t)
{
	tval *v = arena_alloc(a, sizeof *v);
	memset(v, 0, sizeof *v);
	v->t = t;
	v->a = a;
	return v;
}

tval *tv_obj(arena *a)
{
	return tv_new(a, TV_OBJ);
}

tval *tv_list(arena *a)
{
	return tv_new(a, TV_LIST);
}

static void grow(tval *o)
{
	if (o->n < o->cap)
		return;
	int nc = o->cap ? o->cap * 2 : 8;
	o->u.c.vals = arena_realloc(o->a, o->u.c.vals, sizeof(tval *) * (size_t)o->cap,
	                            sizeof(tval *) * (size_t)nc);
	if (o->t == TV_OBJ) {
		o->u.c.keys = arena_realloc(o->a, o->u.c.keys, sizeof(char *) * (size_t)o->cap,
		                            sizeof(char *) * (size_t)nc);
		o->u.c.hashes = arena_realloc(o->a, o->u.c.hashes, sizeof(uint32_t) * (size_t)o->cap,
		                              sizeof(uint32_t) * (size_t)nc);
	}
	o->cap = nc;
}

void tv_put(tval *o, const char *key, tval *v)
{
	if (!o || o->t != TV_OBJ)
		return;
	uint32_t h = key_hash(key);
	key = iname_of(key, h);
	for (int i = 0; i < o->n; i++)
		if (o->u.c.hashes[i] == h && (o->u.c.keys[i] == key || strcmp(o->u.c.keys[i], key) == 0)) {
			o->u.c.vals[i] = v;
			return;
		}
	o->u.c.idx = NULL;
	grow(o);
	o->u.c.keys[o->n] = key;
	o->u.c.hashes[o->n] = h;
	o->u.c.vals[o->n++] = v;
}

void tv_strn(tval *o, const char *key, const char *s, size_t n)
{
	if (!s)
		return;
	tval *v = tv_new(o->a, TV_STR);
	v->u.str.s = s;
	v->u.str.len = n;
	tv_put(o, key, v);
}

void tv_str(tval *o, const char *key, const char *s)
{
	if (s)
		tv_strn(o, key, s, strlen(s));
}

void tv_int(tval *o, const char *key, int64_t i)
{
	tval *v = tv_new(o->a, TV_INT);
	v->u.i = i;
	tv_put(o, key, v);
}

void tv_bool(tval *o, const char *key, bool b)
{
	tval *v = tv_new(o->a, TV_BOOL);
	v->u.b = b;
	tv_put(o, key, v);
}

static bool ends_html(const char *key)
{
	size_t n = strlen(key);
	return n >= 5 && strcmp(key + n - 5, "_html") == 0;
}

void tv_html(tval *o, const char *key, const char *html)
{
	if (!html)
		return;
	tval *v = tv_new(o->a, ends_html(key) ? TV_HTML : TV_STR);
	v->u.str.s = html;
	v->u.str.len = strlen(html);
	tv_put(o, key, v);
}

tval *tv_child(tval *o, const char *key)
{
	tval *c = tv_obj(o->a);
	tv_put(o, key, c);
	return c;
}

tval *tv_childlist(tval *o, const char *key)
{
	tval *c = tv_list(o->a);
	tv_put(o, key, c);
	return c;
}

static void list_add(tval *list, tval *v)
{
	grow(list);
	list->u.c.vals[list->n++] = v;
}

tval *tv_push(tval *list)
{
	tval *c = tv_obj(list->a);
	list_add(list, c);
	return c;
}

void tv_push_str(tval *list, const char *s)
{
	tval *v = tv_new(list->a, TV_STR);
	v->u.str.s = s ? s : "";
	v->u.str.len = strlen(v->u.str.s);
	list_add(list, v);
}

int tv_len(const tval *list)
{
	return list && list->t == TV_LIST ? list->n : 0;
}

enum { INDEX_FROM = 12 }; /* smaller objects are scanned */

static void build_index(tval *o)
{
	uint32_t size = 32;
	while (size < 2u * (uint32_t)o->n)
		size *= 2;
	uint16_t *idx = arena_alloc(o->a, sizeof *idx * size);
	memset(idx, 0, sizeof *idx * size);
	for (int i = 0; i < o->n && i < UINT16_MAX - 1; i++) {
		uint32_t k = o->u.c.hashes[i] & (size - 1);
		while (idx[k])
			k = (k + 1) & (size - 1);
		idx[k] = (uint16_t)(i + 1);
	}
	o->u.c.idx_mask = size - 1;
	o->u.c.idx = idx;
}

static const tval *get_hashed(const tval *co, const char *key, uint32_t h)
{
	if (!co || co->t != TV_OBJ)
		return NULL;
	if (co->n >= INDEX_FROM && co->n < UINT16_MAX - 1) {
		tval *o = (tval *)co; /* the index is a cache: the object's content does not change */
		if (!o->u.c.idx)
			build_index(o);
		for (uint32_t k = h & o->u.c.idx_mask; o->u.c.idx[k]; k = (k + 1) & o->u.c.idx_mask) {
			int i = o->u.c.idx[k] - 1;
			if (o->u.c.hashes[i] == h && (o->u.c.keys[i] == key || strcmp(o->u.c.keys[i], key) == 0))
				return o->u.c.vals[i];
		}
		return NULL;
	}
	for (int i = 0; i < co->n; i++)
		if (co->u.c.hashes[i] == h && (co->u.c.keys[i] == key || strcmp(co->u.c.keys[i], key) == 0))
			return co->u.c.vals[i];
	return NULL;
}

const tval *tv_get(const tval *o, const char *key)
{
	return get_hashed(o, key, key_hash(key));
}

const char *tv_get_str(const tval *o, const char *key)
{
	const tval *v = tv_get(o, key);
	return v && (v->t == TV_STR || v->t == TV_HTML) ? v->u.str.s : NULL;
}

/* ---- templates ---- */

/* Names of up to this many parts are looked up by their hashes and interned copies; a longer
 * one's further parts (rare: "a.updated.iso") by tv_get. Two keep an op in 64 bytes: rendering
 * walks thousands of ops a page, so they should take few cache lines. */
enum { TMPL_PATH_HASHED = 2 };
enum op_type { OP_TEXT, OP_VAR, OP_RAW, OP_SECTION, OP_INVERTED, OP_PARTIAL };

struct op {
	uint8_t t;        /* enum op_type */
	bool dot;         /* the name is "." (the current item) */
	int npath;
	int end;          /* sections: index of the first op after the section */
	int partial;      /* OP_PARTIAL: template index, resolved after all are parsed */
	uint32_t hpath[TMPL_PATH_HASHED]; /* key_hash of the first path names */
	size_t len;
	const char *text; /* OP_TEXT: literal */
	char **path;      /* dotted name split; path[0] == "." for the current item */
	const char *ipath[TMPL_PATH_HASHED]; /* interned copies of the first path names (see key names) */
};

struct tmpl {
	char *name;
	char *src; /* owned copy with literal text compacted */
	struct op *ops;
	int nops;
};

static struct tmpl *tmpls;
static int ntmpls;

static int find_tmpl(const char *name)
{
	for (int i = 0; i < ntmpls; i++)
		if (strcmp(tmpls[i].name, name) == 0)
			return i;
	return -1;
}

bool tmpl_exists(const char *name)
{
	return find_tmpl(name) >= 0;
}

static void free_tmpl(struct tmpl *t)
{
	for (int i = 0; i < t->nops; i++) {
		for (int k = 0; k < t->ops[i].npath; k++)
			free(t->ops[i].path[k]);
		free(t->ops[i].path);
	}
	free(t->ops);
	free(t->src);
	free(t->name);
}

void tmpl_shutdown(void)
{
	for (int i = 0; i < ntmpls; i++)
		free_tmpl(&tmpls[i]);
	free(tmpls);
	tmpls = NULL;
	ntmpls = 0;
	inames_free();
}

/* Copies literal text dropping each line's leading indentation and empty lines. */
static size_t compact(char *dst, const char *s, size_t n, bool at_line_start)
{
	size_t o = 0;
	bool bol = at_line_start;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (bol && (c == ' ' || c == '\t'))
			continue;
		if (bol && c == '\n')
			continue;
		dst[o++] = c;
		bol = c == '\n';
	}
	return o;
}

static int add_op(struct tmpl *t, int *cap, struct op op)
{
	if (t->nops == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		t->ops = realloc(t->ops, sizeof(struct op) * (size_t)*cap);
	}
	t->ops[t->nops] = op;
	return t->nops++;
}

static int split_path(struct op *op, const char *name, size_t n)
{
	op->npath = 0;
	op->path = NULL;
	if (n == 1 && name[0] == '.') {
		op->path = malloc(sizeof(char *));
		op->path[0] = strdup(".");
		op->npath = 1;
		op->dot = true;
		return 0;
	}
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || name[i] == '.') {
			if (i == start) {
				for (int k = 0; k < op->npath; k++)
					free(op->path[k]);
				free(op->path);
				op->path = NULL;
				op->npath = 0;
				return -1;
			}
			op->path = realloc(op->path, sizeof(char *) * (size_t)(op->npath + 1));
			op->path[op->npath] = strndup(name + start, i - start);
			if (op->npath < TMPL_PATH_HASHED) {
				op->hpath[op->npath] = key_hash(op->path[op->npath]);
				op->ipath[op->npath] = iname_add(name + start, i - start);
			}
			op->npath++;
			start = i + 1;
		}
	}
	return 0;
}

static bool valid_name(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static int line_of(const char *text, const char *p)
{
	int line = 1;
	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

static int parse(struct tmpl *t, const char *text, size_t len, char *err, size_t errlen)
{
	int cap = 0;
	int stack[64], depth = 0;
	t->src = malloc(len + 1);
	size_t so = 0;
	const char *p = text, *end = text + len;
	bool bol = true;
	while (p < end) {
		/* The text is len bytes, not NUL-terminated: search within it only. */
		const char *open = memmem(p, (size_t)(end - p), "{{", 2);
		if (!open)
			open = end;
		if (open > p) {
			size_t n = compact(t->src + so, p, (size_t)(open - p), bol);
			if (n)
				add_op(t, &cap, (struct op){.t = OP_TEXT, .text = (const char *)(uintptr_t)so, .len = n});
			so += n;
			bol = so == 0 || t->src[so - 1] == '\n';
		}
		if (open == end)
			break;
		bool triple = open + 2 < end && open[2] == '{';
		const char *ns = open + (triple ? 3 : 2);
		const char *close = ns < end ? memmem(ns, (size_t)(end - ns), triple ? "}}}" : "}}", triple ? 3u : 2u) : NULL;
		if (!close) {
			snprintf(err, errlen, "%s:%d: unclosed tag", t->name, line_of(text, open));
			return -1;
		}
		p = close + (triple ? 3 : 2);
		char kind = *ns;
		const char *name = ns;
		if (!triple && (kind == '#' || kind == '^' || kind == '/' || kind == '>' || kind == '!'))
			name++;
		else
			kind = triple ? '{' : 0;
		if (kind == '!')
			continue;
		while (name < close && *name == ' ')
			name++;
		const char *ne = close;
		while (ne > name && ne[-1] == ' ')
			ne--;
		size_t nl = (size_t)(ne - name);
		if (!valid_name(name, nl)) {
			snprintf(err, errlen, "%s:%d: bad name in tag", t->name, line_of(text, open));
			return -1;
		}
		struct op op = {0};
		op.text = strndup(name, nl);
		op.len = nl;
		/* The name is kept only in path; text is reused for literals. */
		if (split_path(&op, name, nl) != 0) {
			free((char *)op.text);
			for (int k = 0; k < op.npath; k++)
				free(op.path[k]);
			free(op.path);
			snprintf(err, errlen, "%s:%d: bad dotted name", t->name, line_of(text, open));
			return -1;
		}
		free((char *)op.text);
		op.text = NULL;
		switch (kind) {
		case '{':
			if (!ends_html(op.path[op.npath - 1])) {
				snprintf(err, errlen, "%s:%d: raw {{{%.*s}}} needs a name ending in _html", t->name,
				         line_of(text, open), (int)nl, name);
				goto bad;
			}
			op.t = OP_RAW;
			add_op(t, &cap, op);
			bol = false; /* text after a value is not at a line start */
			break;
		case '#':
		case '^':
			if (depth == 64) {
				snprintf(err, errlen, "%s: sections nested too deeply", t->name);
				goto bad;
			}
			op.t = kind == '#' ? OP_SECTION : OP_INVERTED;
			stack[depth++] = add_op(t, &cap, op);
			break;
		case '/': {
			if (depth == 0) {
				snprintf(err, errlen, "%s:%d: {{/%.*s}} closes nothing", t->name, line_of(text, open),
				         (int)nl, name);
				goto bad;
			}
			struct op *o = &t->ops[stack[--depth]];
			bool same = o->npath == op.npath;
			for (int k = 0; same && k < op.npath; k++)
				same = strcmp(o->path[k], op.path[k]) == 0;
			if (!same) {
				snprintf(err, errlen, "%s:%d: {{/%.*s}} does not match its opening tag", t->name,
				         line_of(text, open), (int)nl, name);
				goto bad;
			}
			for (int k = 0; k < op.npath; k++)
				free(op.path[k]);
			free(op.path);
			o->end = t->nops;
			break;
		}
		case '>':
			op.t = OP_PARTIAL;
			op.partial = -1;
			add_op(t, &cap, op);
			break;
		default:
			op.t = OP_VAR;
			add_op(t, &cap, op);
			bol = false;
		}
		continue;
	bad:
		for (int k = 0; k < op.npath; k++)
			free(op.path[k]);
		free(op.path);
		return -1;
	}
	if (depth) {
		snprintf(err, errlen, "%s: section {{#%s}} is never closed", t->name,
		         t->ops[stack[depth - 1]].path[0]);
		return -1;
	}
	t->src[so] = 0;
	/* Literal offsets become pointers now that src no longer moves. */
	for (int i = 0; i < t->nops; i++)
		if (t->ops[i].t == OP_TEXT)
			t->ops[i].text = t->src + (uintptr_t)t->ops[i].text;
	return 0;
}

/* True when template i reaches itself through partials (state: 0 new, 1 on path, 2 done). */
static bool partial_cycle(int i, unsigned char *state)
{
	if (state[i] == 1)
		return true;
	if (state[i] == 2)
		return false;
	state[i] = 1;
	for (int k = 0; k < tmpls[i].nops; k++) {
		const struct op *o = &tmpls[i].ops[k];
		if (o->t == OP_PARTIAL && o->partial >= 0 && partial_cycle(o->partial, state))
			return true;
	}
	state[i] = 2;
	return false;
}

static int resolve_partials(char *err, size_t errlen)
{
	for (int i = 0; i < ntmpls; i++)
		for (int k = 0; k < tmpls[i].nops; k++) {
			struct op *o = &tmpls[i].ops[k];
			if (o->t != OP_PARTIAL)
				continue;
			char name[128];
			size_t n = 0;
			for (int j = 0; j < o->npath && n < sizeof name; j++)
				n += (size_t)snprintf(name + n, sizeof name - n, "%s%s", j ? "." : "", o->path[j]);
			if (n >= sizeof name) {
				snprintf(err, errlen, "%s: partial name too long", tmpls[i].name);
				return -1;
			}
			o->partial = find_tmpl(name);
			if (o->partial < 0) {
				snprintf(err, errlen, "%s: partial {{>%s}} not found", tmpls[i].name, name);
				return -1;
			}
		}
	/* A partial that includes itself, directly or not, would render without end. */
	unsigned char *state = calloc((size_t)ntmpls + 1, 1);
	for (int i = 0; i < ntmpls; i++)
		if (partial_cycle(i, state)) {
			snprintf(err, errlen, "%s: partials include each other in a loop", tmpls[i].name);
			free(state);
			return -1;
		}
	free(state);
	return 0;
}

/* Checks that every partial t names exists (or is t itself) before t is stored. */
static int check_partials(const struct tmpl *t, char *err, size_t errlen)
{
	for (int k = 0; k < t->nops; k++) {
		const struct op *o = &t->ops[k];
		if (o->t != OP_PARTIAL)
			continue;
		char name[128];
		size_t n = 0;
		for (int j = 0; j < o->npath && n < sizeof name; j++)
			n += (size_t)snprintf(name + n, sizeof name - n, "%s%s", j ? "." : "", o->path[j]);
		if (strcmp(name, t->name) != 0 && find_tmpl(name) < 0) {
			snprintf(err, errlen, "%s: partial {{>%s}} not found", t->name, name);
			return -1;
		}
	}
	return 0;
}

int tmpl_add(const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	struct tmpl t = {.name = strdup(name)};
	if (parse(&t, text, len, err, errlen) != 0 || check_partials(&t, err, errlen) != 0) {
		free_tmpl(&t);
		return -1;
	}
	int i = find_tmpl(name);
	if (i >= 0) {
		free_tmpl(&tmpls[i]);
		tmpls[i] = t;
	} else {
		tmpls = realloc(tmpls, sizeof(struct tmpl) * (size_t)(ntmpls + 1));
		tmpls[ntmpls++] = t;
	}
	return resolve_partials(err, errlen);
}

int tmpl_init(char *err, size_t errlen)
{
	const char *prefix = "templates/";
	for (const struct embedded_file *f = embedded_files; f->name; f++) {
		size_t pl = strlen(prefix), nl = strlen(f->name);
		if (strncmp(f->name, prefix, pl) != 0 || nl < pl + 6 || strcmp(f->name + nl - 5, ".html"))
			continue;
		char name[128];
		snprintf(name, sizeof name, "%.*s", (int)(nl - pl - 5), f->name + pl);
		struct tmpl t = {.name = strdup(name)};
		if (parse(&t, f->data, f->len, err, errlen) != 0) {
			free_tmpl(&t);
			return -1;
		}
		tmpls = realloc(tmpls, sizeof(struct tmpl) * (size_t)(ntmpls + 1));
		tmpls[ntmpls++] = t;
	}
	return resolve_partials(err, errlen);
}

/* ---- rendering ---- */

struct ctx {
	const tval *stack[48];
	int depth;
};

static const tval *lookup(const struct ctx *c, const struct op *op)
{
	if (op->dot)
		return c->stack[c->depth - 1];
	const tval *v = NULL;
	for (int i = c->depth - 1; i >= 0 && !v; i--)
		v = get_hashed(c->stack[i], op->ipath[0], op->hpath[0]);
	for (int k = 1; v && k < op->npath; k++)
		v = k < TMPL_PATH_HASHED ? get_hashed(v, op->ipath[k], op->hpath[k]) : tv_get(v, op->path[k]);
	return v;
}

static bool truthy(const tval *v)
{
	if (!v)
		return false;
	switch (v->t) {
	case TV_NULL: return false;
	case TV_STR:
	case TV_HTML: return v->u.str.len > 0;
	case TV_INT: return v->u.i != 0;
	case TV_BOOL: return v->u.b;
	case TV_LIST: return v->n > 0;
	case TV_OBJ: return true;
	}
	return false;
}

static void emit(buf *out, const tval *v, bool raw)
{
	if (!v)
		return;
	switch (v->t) {
	case TV_STR: buf_html(out, v->u.str.s, v->u.str.len); break;
	case TV_HTML:
		if (raw)
			buf_add(out, v->u.str.s, v->u.str.len);
		else
			buf_html(out, v->u.str.s, v->u.str.len);
		break;
	case TV_INT: buf_int(out, v->u.i); break;
	case TV_BOOL: buf_puts(out, v->u.b ? "true" : ""); break;
	default: break;
	}
}

static void render_ops(buf *out, const struct tmpl *t, int from, int to, struct ctx *c, int level);

/* buf_add without the call while the buffer has room (most literal text). */
static inline void out_add(buf *out, const char *s, size_t n)
{
	if (!out->err && out->len + n < out->cap) {
		memcpy(out->p + out->len, s, n);
		out->len += n;
		out->p[out->len] = 0;
	} else {
		buf_add(out, s, n);
	}
}

static void push_render(buf *out, const struct tmpl *t, int from, int to, struct ctx *c, int level,
                        const tval *v)
{
	if (c->depth == (int)(sizeof c->stack / sizeof c->stack[0]))
		return;
	c->stack[c->depth++] = v;
	render_ops(out, t, from, to, c, level);
	c->depth--;
}

static void render_ops(buf *out, const struct tmpl *t, int from, int to, struct ctx *c, int level)
{
	for (int i = from; i < to && !out->err; i++) {
		const struct op *op = &t->ops[i];
		switch (op->t) {
		case OP_TEXT: out_add(out, op->text, op->len); break;
		case OP_VAR: emit(out, lookup(c, op), false); break;
		case OP_RAW: emit(out, lookup(c, op), true); break;
		case OP_SECTION: {
			const tval *v = lookup(c, op);
			if (v && v->t == TV_LIST) {
				for (int k = 0; k < v->n; k++)
					push_render(out, t, i + 1, op->end, c, level, v->u.c.vals[k]);
			} else if (v && v->t == TV_OBJ) {
				push_render(out, t, i + 1, op->end, c, level, v);
			} else if (truthy(v)) {
				render_ops(out, t, i + 1, op->end, c, level);
			}
			i = op->end - 1;
			break;
		}
		case OP_INVERTED:
			if (!truthy(lookup(c, op)))
				render_ops(out, t, i + 1, op->end, c, level);
			i = op->end - 1;
			break;
		case OP_PARTIAL:
			if (level < 16 && op->partial >= 0) {
				const struct tmpl *p = &tmpls[op->partial];
				render_ops(out, p, 0, p->nops, c, level + 1);
			}
			break;
		}
	}
}

bool tmpl_render(buf *out, const char *name, const tval *ctx)
{
	int i = find_tmpl(name);
	if (i < 0)
		return false;
	struct ctx c = {.depth = 1};
	c.stack[0] = ctx;
	render_ops(out, &tmpls[i], 0, tmpls[i].nops, &c, 0);
	return true;
}
