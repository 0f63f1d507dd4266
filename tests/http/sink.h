/* sink.h: the receiving ends that HTTP tests point the server at: a real SMTP server
 * (tests/http/smtp_sink.py on python3-aiosmtpd) whose decoded messages are read back from its
 * folder, and a small webhook receiver thread that records each request and answers it. */
#ifndef CC_TEST_SINK_H
#define CC_TEST_SINK_H
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

/* ---- the mail sink ---- */

/* One SMTP sink process and the folder it writes each message to (NAME.eml raw, NAME.txt
 * decoded with an "Envelope-To:" line). */
typedef struct mail_sink {
	pid_t pid;
	int port;
	char dir[300];
	char url[160]; /* smtp://127.0.0.1:PORT */
} mail_sink;

/* Starts a sink on a free port and waits up to 10 s for it to be ready. auth "user:password"
 * makes it require SMTP AUTH, cert and key STARTTLS (or TLS from the start when mode is
 * "implicit"); NULLs for a plain sink. Returns 0 or -1. */
int mail_sink_start(mail_sink *k, const char *auth, const char *cert, const char *key, const char *mode);
/* Stops the sink and removes its folder. */
void mail_sink_stop(mail_sink *k);

/* How many decoded messages in folder dir went to rcpt and contain needle (NULL: any), taken
 * in the order they arrived; *nth, when asked, gets a copy of the idx-th (0-based) of them
 * (caller frees). */
int sink_mails(const char *dir, const char *rcpt, const char *needle, int idx, char **nth);
/* Waits up to seconds for the idx-th such message and returns it (caller frees), or NULL. */
char *sink_wait_mail(const char *dir, const char *rcpt, const char *needle, int idx, int seconds);

/* ---- the webhook receiver ---- */

/* One request the receiver got. */
typedef struct hook_hit {
	char event[64], delivery[32], signature[160]; /* its X-Carecircle-* headers */
	char *body;
} hook_hit;

#define HOOK_MAX_HITS 64

/* A receiver on 127.0.0.1:port, in a thread. Hold lock to read hits and n, or set script. */
typedef struct hook_rx {
	int fd, port;
	pthread_t th;
	pthread_mutex_t lock;
	hook_hit hits[HOOK_MAX_HITS]; /* the first requests, in order */
	int n;
	int script[8]; /* the status for the 1st, 2nd … request (0: 200); 200 after */
} hook_rx;

/* Starts the receiver on a free port (r zeroed first, e.g. static). Returns 0 or -1. */
int hook_rx_start(hook_rx *r);
/* Stops the receiver's thread and frees the bodies. */
void hook_rx_stop(hook_rx *r);
/* How many requests it has recorded so far. */
int hook_rx_count(hook_rx *r);
/* Waits up to seconds until it has recorded at least n requests; returns whether it has. */
bool hook_rx_wait(hook_rx *r, int n, int seconds);

#endif
