/* admin.h: what administrators manage, shared by the /admin pages and the CLI so both apply
 * the same checks: accounts (role, suspension), topics, and site settings. */
#ifndef CC_ADMIN_H
#define CC_ADMIN_H
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "model/user.h"

/* ---- accounts ---- */

typedef struct admin_user {
	user u;
	int64_t questions, answers;
} admin_user;

/* Users whose name, display name or email contains q ("" = all), newest first. */
int admin_user_list(dbc *c, arena *a, const char *q, int limit, int offset, admin_user **out);
/* Changes a role; refuses (returns 0) to demote the last active admin. 1 done, < 0 error. A real
 * change ends every session of the account (it signs in again under the new role). */
int admin_set_role(dbc *c, int64_t user_id, enum role role);
/* Suspends (ends every session; tokens stop working) or reactivates. Refuses to suspend the last
 * active admin. */
int admin_set_suspended(dbc *c, int64_t user_id, bool suspended);

/* ---- topics ---- */

enum { TOPIC_NAME_MAX = 80, TOPIC_SUMMARY_MAX = 300, TOPIC_OVERVIEW_MAX = 50000 };

/* The checks a topic must pass; returns the first problem (and its field) or NULL. */
const char *admin_topic_check(const char *slug, const char *name, const char *summary, const char *overview,
                              const char **field);

/* ---- site settings ---- */

typedef struct site_setting {
	const char *key;   /* in the settings table */
	const char *label;
	const char *hint;
	size_t max;        /* code points */
	bool multiline;
} site_setting;

/* The settings an admin may change, ending with a NULL key. */
extern const site_setting site_settings[];
const site_setting *site_setting_find(const char *key);
/* NULL when value is acceptable for key, else a sentence saying why not. */
const char *site_setting_check(const site_setting *s, const char *value);

/* A snapshot of the site settings (values are "" when unset), cached for a few seconds per
 * process; a set through this process is seen at once. Strings live until the next change. */
typedef struct site_info {
	char *name, *logo_url, *emergency, *disclaimer;
} site_info;
/* Copies the current values into a. fallback_name is used when no name is set. */
void site_info_get(dbc *c, arena *a, const char *fallback_name, site_info *out);
int site_setting_set(dbc *c, const char *key, const char *value);
/* Drops the cached snapshot (content changed elsewhere: the next read goes to the database). */
void site_info_forget(void);

/* ---- numbers for the dashboard ---- */

typedef struct site_stats {
	int64_t users, topics, questions, answers, tokens;
	int64_t questions_7d, answers_7d, users_7d, unanswered;
} site_stats;
int admin_stats(dbc *c, site_stats *out);

typedef struct topic_activity {
	const char *slug, *name;
	int64_t questions_30d, answers_30d, unanswered, views;
} topic_activity;
/* Per topic over the last 30 days, busiest first. */
int admin_topic_activity(dbc *c, arena *a, topic_activity **out);

#endif
