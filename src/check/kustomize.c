/*
 * kustomize.c — render a kustomization directory with `kubectl kustomize`
 * (check_int.h). kubectl is found on PATH (posix_spawnp); nothing but
 * `kustomize DIR` is passed, so no plugin or exec function is enabled.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_int.h"

extern char **environ;

int kustomize_start(const char *kubectl, const char *dir,
		    struct kustomize_proc *kp, struct err *err)
{
	int fds[2] = {-1, -1}, rc = -1;
	posix_spawn_file_actions_t fa;
	bool fa_ok = false;
	memset(kp, 0, sizeof(*kp));
	kp->pid = -1;
	kp->errf = tmpfile();
	if (!kp->errf || pipe(fds) != 0) {
		err_set(err, "cannot start %s: %s", kubectl, strerror(errno));
		goto out;
	}
	if (posix_spawn_file_actions_init(&fa) != 0) {
		err_nomem(err);
		goto out;
	}
	fa_ok = true;
	if (posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO) ||
	    posix_spawn_file_actions_adddup2(&fa, fileno(kp->errf),
					     STDERR_FILENO) ||
	    posix_spawn_file_actions_addclose(&fa, fds[0]) ||
	    posix_spawn_file_actions_addclose(&fa, fds[1])) {
		err_nomem(err);
		goto out;
	}
	char *argv[] = {(char *)kubectl, "kustomize", (char *)dir, NULL};
	int e = posix_spawnp(&kp->pid, kubectl, &fa, NULL, argv, environ);
	if (e != 0) {
		kp->pid = -1;
		if (e == ENOENT)
			err_set(err, "%s not found on PATH", kubectl);
		else
			err_set(err, "cannot run %s: %s", kubectl, strerror(e));
		goto out;
	}
	close(fds[1]);
	fds[1] = -1;
	kp->out = fdopen(fds[0], "r");
	if (!kp->out) {
		err_set(err, "fdopen: %s", strerror(errno));
		goto out;
	}
	fds[0] = -1;
	rc = 0;
out:
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	if (rc != 0) {
		if (kp->pid > 0) {
			kill(kp->pid, SIGTERM);
			waitpid(kp->pid, NULL, 0);
		}
		if (kp->errf)
			fclose(kp->errf);
		memset(kp, 0, sizeof(*kp));
		kp->pid = -1;
	}
	return rc;
}

/* The first non-empty line kubectl wrote on standard error, one line. */
static void first_err_line(FILE *f, char *dst, size_t cap)
{
	dst[0] = '\0';
	if (!f || fseek(f, 0, SEEK_SET) != 0)
		return;
	while (fgets(dst, (int)cap, f)) {
		dst[strcspn(dst, "\r\n")] = '\0';
		if (dst[0])
			return;
	}
	dst[0] = '\0';
}

int kustomize_finish(struct kustomize_proc *kp, const char *kubectl,
		     struct err *err)
{
	int status = 0, rc = 0;
	if (kp->out)
		fclose(kp->out); /* kubectl gets EPIPE if we stopped early */
	kp->out = NULL;
	while (kp->pid > 0 && waitpid(kp->pid, &status, 0) < 0) {
		if (errno != EINTR) {
			rc = err_set(err, "waitpid: %s", strerror(errno));
			break;
		}
	}
	if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		char line[200];
		first_err_line(kp->errf, line, sizeof(line));
		if (WIFEXITED(status))
			rc = err_set(err, "%s kustomize exited %d%s%s", kubectl,
				     WEXITSTATUS(status), line[0] ? ": " : "",
				     line);
		else
			rc = err_set(err, "%s kustomize killed by signal %d",
				     kubectl, WTERMSIG(status));
	}
	if (kp->errf)
		fclose(kp->errf);
	kp->errf = NULL;
	kp->pid = -1;
	return rc;
}
