/*
 * log.c — JSON-lines logs on stderr (server.h). One write(2) per line so
 * that lines from different threads never interleave. Callers pass only
 * non-secret values: findings are already redacted, object bodies are never
 * logged.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "server_int.h"
#include "pgadmit/strbuf.h"

static _Atomic int min_level = SRV_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void srv_log_set_level(enum srv_log_level l)
{
	atomic_store(&min_level, (int)l);
}

bool srv_log_enabled(enum srv_log_level l)
{
	return (int)l >= atomic_load_explicit(&min_level, memory_order_relaxed);
}

/* Decimal digits of v (>= 0), at least width of them (zero-padded). */
static void put_uint(struct strbuf *sb, unsigned long long v, int width)
{
	char d[24];
	int n = 0;
	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v || n < width);
	while (n)
		sb_putc(sb, d[--n]);
}

/* The head of every line. No printf: the timestamp's seconds are
 * formatted once per second per thread, the milliseconds by hand (one
 * line per review is on the hot path). */
static void put_head(struct strbuf *sb, enum srv_log_level l, const char *msg)
{
	static _Thread_local time_t ts_sec = (time_t)-1;
	static _Thread_local char ts[32];
	struct timeval tv;
	gettimeofday(&tv, NULL);
	if (tv.tv_sec != ts_sec) {
		struct tm tm;
		gmtime_r(&tv.tv_sec, &tm);
		if (strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
			ts[0] = '\0';
		ts_sec = tv.tv_sec;
	}
	sb_puts(sb, "{\"time\":\"");
	sb_puts(sb, ts);
	sb_putc(sb, '.');
	put_uint(sb, (unsigned long long)(tv.tv_usec / 1000), 3);
	sb_puts(sb, "Z\",\"level\":\"");
	sb_puts(sb, level_names[l]);
	sb_puts(sb, "\",\"msg\":\"");
	sb_json_escape(sb, msg);
	sb_putc(sb, '"');
}

static void put_kv(struct strbuf *sb, const char *k, const char *v)
{
	sb_puts(sb, ",\"");
	sb_json_escape(sb, k);
	if (!v) {
		sb_puts(sb, "\":null");
		return;
	}
	sb_puts(sb, "\":\"");
	sb_json_escape(sb, v);
	sb_putc(sb, '"');
}

/* Write a finished line in one write(2). */
static void write_line(struct strbuf *sb)
{
	if (!sb_ok(sb))
		return;
	size_t off = 0;
	while (off < sb->len) {
		ssize_t w = write(STDERR_FILENO, sb->buf + off, sb->len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
}

static void emit(struct strbuf *sb)
{
	sb_puts(sb, "}\n");
	write_line(sb);
}

void srv_log(enum srv_log_level l, const char *msg, ...)
{
	if (!srv_log_enabled(l))
		return;
	struct strbuf b = STRBUF_INIT;
	put_head(&b, l, msg);
	va_list ap;
	va_start(ap, msg);
	for (;;) {
		const char *k = va_arg(ap, const char *);
		if (!k)
			break;
		put_kv(&b, k, va_arg(ap, const char *));
	}
	va_end(ap);
	emit(&b);
	sb_free(&b);
}

void srv_log_review_line(struct strbuf *b, enum srv_log_level l,
			 const char *endpoint, const struct admission_result *r,
			 double duration_ms)
{
	put_head(b, l, r->decision == ADM_ERROR ? "bad request" : "review");
	put_kv(b, "endpoint", endpoint);
	put_kv(b, "uid", r->uid);
	put_kv(b, "kind", r->kind);
	put_kv(b, "namespace", r->ns);
	put_kv(b, "name", r->name);
	put_kv(b, "operation", r->operation);
	put_kv(b, "decision", admission_decision_name(r->decision));
	if (r->decision == ADM_SKIP)
		put_kv(b, "reason", admission_skip_name(r->skip));
	if (r->owner)
		put_kv(b, "owner", r->owner); /* operator child: judged there */
	if (r->dry_run)
		sb_puts(b, ",\"dry_run\":true");
	if (r->error)
		put_kv(b, "error", r->error);
	sb_puts(b, ",\"rules\":[");
	for (size_t i = 0; i < r->findings.n; i++) {
		const struct finding *f = &r->findings.v[i];
		sb_puts(b, i ? ",\"" : "\"");
		sb_json_escape(b, f->rule);
		sb_putc(b, ':');
		sb_json_escape(b, action_name(f->action));
		sb_putc(b, '"');
	}
	/* as %.3f would print it, without printf */
	double us = duration_ms * 1e3 + 0.5;
	unsigned long long u = us >= 1 && us < 1e18 ? (unsigned long long)us
						    : 0;
	sb_puts(b, "],\"status\":");
	if (r->status < 0)
		sb_putc(b, '-');
	put_uint(b,
		 (unsigned long long)(r->status < 0 ? -(long long)r->status
						    : r->status),
		 1);
	sb_puts(b, ",\"duration_ms\":");
	put_uint(b, u / 1000, 1);
	sb_putc(b, '.');
	put_uint(b, u % 1000, 3);
	sb_puts(b, "}\n");
}

void srv_log_review(const char *endpoint, const struct admission_result *r,
		    double duration_ms)
{
	enum srv_log_level l = r->decision == ADM_ERROR ? SRV_WARN : SRV_INFO;
	if (r->decision == ADM_SKIP && r->skip != ADM_SKIP_OPERATOR_CHILD)
		l = SRV_DEBUG; /* allowed at once: the bulk of the traffic */
	if (!srv_log_enabled(l))
		return;
	struct strbuf b = STRBUF_INIT;
	srv_log_review_line(&b, l, endpoint, r, duration_ms);
	write_line(&b);
	sb_free(&b);
}
