/* fuzz_policy_reload.c — the policy reload path as `pgadmit serve` runs it
 * on SIGHUP: the file is read by path (policy_new, environment overrides
 * included), and when it loads, it replaces the policy in force and judges
 * the next review while the old one is released; when it does not, the old
 * one stays and still judges. Never a crash, a leak, or an answer that is
 * not JSON. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pgadmit/admission.h"
#include "pgadmit/policy.h"

static const char review[] =
	"{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
	"\"request\":{\"uid\":\"u\",\"kind\":{\"group\":\"apps\",\"version\":"
	"\"v1\",\"kind\":\"StatefulSet\"},\"namespace\":\"shop\",\"operation\":"
	"\"CREATE\",\"object\":{\"apiVersion\":\"apps/v1\",\"kind\":"
	"\"StatefulSet\",\"metadata\":{\"name\":\"db\",\"namespace\":\"shop\"},"
	"\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"pg\","
	"\"image\":\"postgres:16\",\"ports\":[{\"containerPort\":5432,"
	"\"hostPort\":5432}],\"env\":[{\"name\":\"POSTGRES_PASSWORD\","
	"\"value\":\"hunter2\"},{\"name\":\"DATABASE_URL\",\"value\":"
	"\"postgresql://u:pw@db/app?sslmode=disable\"}]}]}}}}}}";

static void judge(const struct policy *p)
{
	struct admission_env env = {p, NULL};
	struct admission_result r;
	if (admission_handle(&env, ADMISSION_VALIDATE, review,
			     sizeof(review) - 1, &r) != 0)
		return;
	json_t *j = json_loadb(r.body, r.body_len, 0, NULL);
	if (!j)
		__builtin_trap();
	json_decref(j);
	admission_result_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy *cur;
	static int fd = -1;
	static char path[64];
	struct err e;
	if (fd < 0) {
		fd = memfd_create("policy.yaml", 0);
		if (fd < 0)
			return 0;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (!cur && !(cur = policy_new(NULL, &e)))
		return 0;
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	struct policy *next = policy_new(path, &e);
	if (next) {
		struct policy *old = cur;
		cur = next;
		judge(cur);
		policy_free(old);
	} else {
		judge(cur); /* the old policy stays in force */
	}
	return 0;
}
