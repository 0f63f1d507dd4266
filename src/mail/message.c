/* message.c: builds RFC 5322 messages: multipart/alternative (text + HTML) in
 * quoted-printable, RFC 2047 encoded headers, Message-ID, Date and RFC 8058 unsubscribe. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/util.h"
#include "mail/mail.h"

static bool ascii_plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x7f || (unsigned char)*s < 0x20)
			return false;
	return true;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_add(buf *b, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
		buf_putc(b, b64[v >> 18 & 63]);
		buf_putc(b, b64[v >> 12 & 63]);
		buf_putc(b, i + 1 < n ? b64[v >> 6 & 63] : '=');
		buf_putc(b, i + 2 < n ? b64[v & 63] : '=');
	}
}

/* Encoded words of at most 39 bytes of UTF-8 each (never splitting a character), joined by
 * folding whitespace, so every line stays under 78 characters. */
char *mail_header_word(arena *a, const char *s)
{
	if (ascii_plain(s))
		return arena_strdup(a, s);
	buf b;
	buf_init(&b, a, 128, 1u << 16);
	size_t n = strlen(s), i = 0;
	while (i < n) {
		size_t take = n - i > 39 ? 39 : n - i;
		while (take > 0 && i + take < n && ((unsigned char)s[i + take] & 0xC0) == 0x80)
			take--;
		if (take == 0)
			take = n - i;
		if (i)
			buf_puts(&b, "\r\n ");
		buf_puts(&b, "=?UTF-8?B?");
		b64_add(&b, (const unsigned char *)s + i, take);
		buf_puts(&b, "?=");
		i += take;
	}
	return b.p;
}

/* Quoted-printable (RFC 2045) with CRLF line ends and soft breaks before 76 columns. */
static void qp_add(buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int col = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n') {
			buf_puts(b, "\r\n");
			col = 0;
			continue;
		}
		bool trailing_space = (*p == ' ' || *p == '\t') && (p[1] == '\n' || p[1] == '\r' || p[1] == 0);
		bool plain = *p >= 33 && *p <= 126 && *p != '=';
		/* A dot at the start of a line is fine for SMTP clients that dot-stuff (curl does),
		 * but some readers trip on it: encode it. */
		if (*p == '.' && col == 0)
			plain = false;
		int w = (plain || ((*p == ' ' || *p == '\t') && !trailing_space)) ? 1 : 3;
		if (col + w > 75) {
			buf_puts(b, "=\r\n");
			col = 0;
		}
		if (w == 1)
			buf_putc(b, (char)*p);
		else {
			buf_putc(b, '=');
			buf_putc(b, hex[*p >> 4]);
			buf_putc(b, hex[*p & 15]);
		}
		col += w;
	}
	buf_puts(b, "\r\n");
}

/* "Name <addr>" with the name encoded when needed; the bare address when there is no name. */
static void address(buf *b, arena *a, const char *name, const char *addr)
{
	if (name && *name) {
		if (ascii_plain(name) && !strpbrk(name, "\"\\()<>@,;:[]")) {
			buf_printf(b, "\"%s\"", name);
		} else if (ascii_plain(name)) {
			buf_putc(b, '"');
			for (const char *p = name; *p; p++) {
				if (*p == '"' || *p == '\\')
					buf_putc(b, '\\');
				buf_putc(b, *p);
			}
			buf_putc(b, '"');
		} else {
			buf_puts(b, mail_header_word(a, name));
		}
		buf_printf(b, " <%s>", addr);
	} else {
		buf_puts(b, addr);
	}
}

/* Splits "Name <addr>" or "addr" into its parts. */
static void split_from(arena *a, const char *from, const char **name, const char **addr)
{
	const char *lt = strchr(from, '<');
	const char *gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt) {
		size_t nl = (size_t)(lt - from);
		while (nl && from[nl - 1] == ' ')
			nl--;
		const char *n = from;
		if (nl >= 2 && n[0] == '"' && n[nl - 1] == '"') {
			n++;
			nl -= 2;
		}
		*name = arena_strndup(a, n, nl);
		*addr = arena_strndup(a, lt + 1, (size_t)(gt - lt - 1));
	} else {
		*name = "";
		*addr = from;
	}
}

char *mail_build(arena *a, const mail_msg *m, const char *from)
{
	buf b;
	buf_init(&b, a, 8192, 16u << 20);
	const char *fname, *faddr;
	split_from(a, from, &fname, &faddr);
	char date[64];
	time_t t = (time_t)m->date;
	struct tm tm;
	gmtime_r(&t, &tm);
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	snprintf(date, sizeof date, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
	         months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	unsigned char rnd[12];
	util_random(rnd, sizeof rnd);
	char *boundary = arena_printf(a, "=_%s", util_hex(a, rnd, sizeof rnd));

	buf_printf(&b, "Date: %s\r\n", date);
	buf_puts(&b, "From: ");
	address(&b, a, fname, faddr);
	buf_puts(&b, "\r\nTo: ");
	address(&b, a, m->to_name, m->to);
	buf_printf(&b, "\r\nSubject: %s\r\n", mail_header_word(a, m->subject));
	buf_printf(&b, "Message-ID: <%s>\r\n", m->message_id);
	if (m->unsub_url && *m->unsub_url) {
		buf_printf(&b, "List-Unsubscribe: <%s>\r\n", m->unsub_url);
		buf_puts(&b, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
	}
	buf_puts(&b, "Auto-Submitted: auto-generated\r\n");
	buf_puts(&b, "MIME-Version: 1.0\r\n");
	buf_printf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary);
	buf_printf(&b, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
	               "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
	           boundary);
	qp_add(&b, m->text);
	buf_printf(&b, "--%s\r\nContent-Type: text/html; charset=utf-8\r\n"
	               "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
	           boundary);
	qp_add(&b, m->html);
	buf_printf(&b, "--%s--\r\n", boundary);
	return b.err ? NULL : b.p;
}
