/* user.c: user accounts: lookup, creation, profile and password changes. */
#include "model/user.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"

static const char *const role_names[] = {"member", "guide", "moderator", "admin"};

const char *role_name(enum role r)
{
	return (unsigned)r < 4 ? role_names[r] : "member";
}

int role_parse(const char *s)
{
	for (int i = 0; s && i < 4; i++)
		if (strcmp(s, role_names[i]) == 0)
			return i;
	return -1;
}

const char *role_badge(enum role r)
{
	switch (r) {
	case ROLE_GUIDE: return "Guide";
	case ROLE_MODERATOR: return "Moderator";
	case ROLE_ADMIN: return "Admin";
	default: return NULL;
	}
}

bool user_valid_username(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < USERNAME_MIN || n > USERNAME_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

bool user_valid_email(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 3 || n > EMAIL_MAX)
		return false;
	const char *at = strchr(s, '@');
	if (!at || at == s || strchr(at + 1, '@'))
		return false;
	const char *dot = strrchr(at, '.');
	if (!dot || dot == at + 1 || !dot[1])
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"' || *p == ',')
			return false;
	return true;
}

/* Each argon2id hash takes 64 MiB and a core for a while: at most one per core runs at once,
 * however many requests (write threads) ask, so a burst of logins cannot exhaust memory. */
static pthread_mutex_t pw_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pw_cv = PTHREAD_COND_INITIALIZER;
static int pw_busy;

static void pw_enter(void)
{
	static int slots;
	pthread_mutex_lock(&pw_m);
	if (!slots) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		slots = n > 0 ? (int)n : 1;
	}
	while (pw_busy >= slots)
		pthread_cond_wait(&pw_cv, &pw_m);
	pw_busy++;
	pthread_mutex_unlock(&pw_m);
}

static void pw_leave(void)
{
	pthread_mutex_lock(&pw_m);
	pw_busy--;
	pthread_cond_signal(&pw_cv);
	pthread_mutex_unlock(&pw_m);
}

char *user_hash_password(arena *a, const char *password)
{
	char *out = arena_alloc(a, crypto_pwhash_STRBYTES);
	pw_enter();
	int rc = crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                           crypto_pwhash_MEMLIMIT_INTERACTIVE);
	pw_leave();
	return rc == 0 ? out : NULL;
}

bool user_check_password(const char *hash, const char *password)
{
	if (!hash || !password)
		return false;
	pw_enter();
	bool ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	pw_leave();
	return ok;
}

#define USER_COLS "u.id, u.username, u.email, u.role, u.display_name, u.title, u.bio, u.status, u.created_at"

static void read_user(const dbrows *r, int row, int col, user *u)
{
	u->id = db_int(r, row, col);
	u->username = db_text(r, row, col + 1);
	u->email = db_text(r, row, col + 2);
	int role = role_parse(db_text(r, row, col + 3));
	u->role = role < 0 ? ROLE_MEMBER : (enum role)role;
	u->display_name = db_text(r, row, col + 4);
	u->title = db_text(r, row, col + 5);
	u->bio = db_text(r, row, col + 6);
	u->status = db_text(r, row, col + 7);
	u->created_at = db_int(r, row, col + 8);
}

static const dbq q_by_id = {"SELECT " USER_COLS " FROM users u WHERE u.id = $1", NULL};
static const dbq q_by_username = {"SELECT " USER_COLS " FROM users u WHERE u.username = $1", NULL};
static const dbq q_by_login = {
	"SELECT " USER_COLS ", u.pass_hash FROM users u WHERE u.username = $1 OR u.email = $2", NULL};

static int one(dbc *c, arena *a, const dbq *q, const dbv *p, int np, user *out, const char **hash)
{
	dbrows r;
	int rc = db_query(c, q, p, np, a, &r);
	if (rc <= 0)
		return rc;
	read_user(&r, 0, 0, out);
	if (hash)
		*hash = db_text(&r, 0, 9);
	return 1;
}

int user_by_id(dbc *c, arena *a, int64_t id, user *out)
{
	return one(c, a, &q_by_id, DBP(dbi(id)), out, NULL);
}

int user_by_username(dbc *c, arena *a, const char *username, user *out)
{
	return one(c, a, &q_by_username, DBP(dbs(username)), out, NULL);
}

int user_by_login(dbc *c, arena *a, const char *login, user *out, const char **pass_hash)
{
	char *l = util_lower(a, login);
	return one(c, a, &q_by_login, DBP(dbs(l), dbs(l)), out, pass_hash);
}

static const dbq q_create = {
	"INSERT INTO users (username, email, pass_hash, role, display_name, title, bio, created_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
	NULL};

int64_t user_create(dbc *c, arena *a, const char *username, const char *email, const char *password,
                    enum role role, const char *display_name, const char *title, const char *bio)
{
	char *hash = user_hash_password(a, password);
	if (!hash)
		return DB_ERR;
	return user_create_hashed(c, a, username, email, hash, role, display_name, title, bio);
}

int64_t user_create_hashed(dbc *c, arena *a, const char *username, const char *email, const char *hash,
                           enum role role, const char *display_name, const char *title, const char *bio)
{
	dbrows r;
	int rc = db_query(c, &q_create,
	                  DBP(dbs(username), dbs(util_lower(a, email)), dbs(hash), dbs(role_name(role)),
	                      dbs(display_name && *display_name ? display_name : username),
	                      dbs(title ? title : ""), dbs(bio ? bio : ""), dbi(util_now())),
	                  a, &r);
	if (rc < 0)
		return rc;
	return rc == 1 ? db_int(&r, 0, 0) : DB_ERR;
}

static const dbq q_profile = {"UPDATE users SET display_name = $2, bio = $3 WHERE id = $1", NULL};
static const dbq q_password = {"UPDATE users SET pass_hash = $2 WHERE id = $1", NULL};
static const dbq q_email = {"UPDATE users SET email = $2, email_verified = 0 WHERE id = $1", NULL};
static const dbq q_count = {"SELECT count(*) FROM users", NULL};

int user_update_profile(dbc *c, int64_t id, const char *display_name, const char *bio)
{
	return db_exec(c, &q_profile, DBP(dbi(id), dbs(display_name), dbs(bio)));
}

int user_set_password(dbc *c, arena *a, int64_t id, const char *password)
{
	char *hash = user_hash_password(a, password);
	if (!hash)
		return DB_ERR;
	return db_exec(c, &q_password, DBP(dbi(id), dbs(hash)));
}

int user_set_email(dbc *c, int64_t id, const char *email)
{
	return db_exec(c, &q_email, DBP(dbi(id), dbs(email)));
}

int64_t user_count(dbc *c)
{
	return db_scalar(c, &q_count, DBNOP, 0, NULL);
}
