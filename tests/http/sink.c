/* sink.c: the mail sink and the webhook receiver of the HTTP tests (see sink.h). */
#include "sink.h"
#include "harness.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <libgen.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the mail sink ---- */

int mail_sink_start(mail_sink *k, const char *auth, const char *cert, const char *key, const char *mode)
{
	char src[512], script[600];
	snprintf(src, sizeof src, "%s", __FILE__);
	snprintf(script, sizeof script, "%s/smtp_sink.py", dirname(src));
	snprintf(k->dir, sizeof k->dir, "/tmp/carecircle-smtp.XXXXXX");
	if (!mkdtemp(k->dir))
		return -1;
	k->port = free_port();
	char port[16];
	snprintf(port, sizeof port, "%d", k->port);
	k->pid = fork();
	if (k->pid == 0) {
		execl("/usr/bin/python3", "python3", script, port, k->dir, auth ? auth : "-", cert, key, mode, (char *)NULL);
		_exit(127);
	}
	char ready[400];
	snprintf(ready, sizeof ready, "%s/ready", k->dir);
	for (int i = 0; i < 200; i++) {
		if (access(ready, F_OK) == 0) {
			snprintf(k->url, sizeof k->url, "smtp://127.0.0.1:%d", k->port);
			return 0;
		}
		usleep(50000);
	}
	fprintf(stderr, "smtp sink did not start (is python3-aiosmtpd installed?)\n");
	return -1;
}

void mail_sink_stop(mail_sink *k)
{
	if (k->pid > 0) {
		kill(k->pid, SIGTERM);
		waitpid(k->pid, NULL, 0);
		k->pid = 0;
	}
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", k->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", k->dir);
}

int sink_mails(const char *dir, const char *rcpt, const char *needle, int idx, char **nth)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	char *names[4096];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 4096) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".txt") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	/* The sink names its files so that they sort in the order the messages arrived. */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	int found = 0;
	char want[300];
	snprintf(want, sizeof want, "Envelope-To: %s", rcpt);
	for (int i = 0; i < n; i++) {
		char path[700];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		char *t = slurp_file(path, NULL);
		if (t && strstr(t, want) && (!needle || strstr(t, needle))) {
			if (nth && found == idx) {
				*nth = t;
				t = NULL;
			}
			found++;
		}
		free(t);
		free(names[i]);
	}
	return found;
}

char *sink_wait_mail(const char *dir, const char *rcpt, const char *needle, int idx, int seconds)
{
	for (int i = 0; i < seconds * 20; i++) {
		char *m = NULL;
		if (sink_mails(dir, rcpt, needle, idx, &m) > idx && m)
			return m;
		free(m);
		usleep(50000);
	}
	fprintf(stderr, "no mail #%d for %s with \"%s\"\n", idx, rcpt, needle ? needle : "");
	return NULL;
}

/* ---- the webhook receiver ---- */

/* Copies the value of header name from the request head into out ("" when absent). */
static void header(const char *head, const char *name, char *out, size_t n)
{
	out[0] = 0;
	size_t nl = strlen(name);
	for (const char *p = head; p && *p; p = strstr(p, "\r\n"), p = p ? p + 2 : NULL)
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ')
				v++;
			snprintf(out, n, "%.*s", (int)strcspn(v, "\r\n"), v);
			return;
		}
}

/* Accepts requests one at a time until the socket is shut down: reads the head and the body,
 * records them, answers with the script's status and closes. */
static void *serve_loop(void *arg)
{
	hook_rx *r = arg;
	for (;;) {
		int c = accept(r->fd, NULL, NULL);
		if (c < 0)
			return NULL;
		char buf[65536];
		size_t len = 0;
		char *end = NULL;
		ssize_t k;
		while (!end && len < sizeof buf - 1 && (k = read(c, buf + len, sizeof buf - 1 - len)) > 0) {
			len += (size_t)k;
			buf[len] = 0;
			end = strstr(buf, "\r\n\r\n");
		}
		if (!end) {
			close(c);
			continue;
		}
		char cl[32];
		header(buf, "Content-Length", cl, sizeof cl);
		size_t want = (size_t)(end + 4 - buf) + (size_t)strtoul(cl, NULL, 10);
		while (len < want && len < sizeof buf - 1 && (k = read(c, buf + len, sizeof buf - 1 - len)) > 0)
			len += (size_t)k;
		buf[len] = 0;
		pthread_mutex_lock(&r->lock);
		int status = r->n < 8 && r->script[r->n] ? r->script[r->n] : 200;
		if (r->n < HOOK_MAX_HITS) {
			hook_hit *h = &r->hits[r->n++];
			header(buf, "X-Carecircle-Event", h->event, sizeof h->event);
			header(buf, "X-Carecircle-Delivery", h->delivery, sizeof h->delivery);
			header(buf, "X-Carecircle-Signature", h->signature, sizeof h->signature);
			h->body = strdup(end + 4);
		}
		pthread_mutex_unlock(&r->lock);
		char reply[128];
		int rl = snprintf(reply, sizeof reply, "HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		                  status, status == 200 ? "OK" : "X");
		ssize_t w = write(c, reply, (size_t)rl);
		(void)w;
		close(c);
	}
}

int hook_rx_start(hook_rx *r)
{
	if (pthread_mutex_init(&r->lock, NULL) != 0)
		return -1;
	r->fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	if (bind(r->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(r->fd, 16) != 0 ||
	    getsockname(r->fd, (struct sockaddr *)&a, &al) != 0)
		return -1;
	r->port = ntohs(a.sin_port);
	return pthread_create(&r->th, NULL, serve_loop, r);
}

void hook_rx_stop(hook_rx *r)
{
	shutdown(r->fd, SHUT_RDWR);
	close(r->fd);
	pthread_join(r->th, NULL);
	for (int i = 0; i < r->n; i++)
		free(r->hits[i].body);
}

int hook_rx_count(hook_rx *r)
{
	pthread_mutex_lock(&r->lock);
	int n = r->n;
	pthread_mutex_unlock(&r->lock);
	return n;
}

bool hook_rx_wait(hook_rx *r, int n, int seconds)
{
	for (int i = 0; i < seconds * 10; i++) {
		if (hook_rx_count(r) >= n)
			return true;
		usleep(100 * 1000);
	}
	return false;
}
