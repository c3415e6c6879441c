/* SPDX-License-Identifier: MIT */
/* romsize diff STATE NEW: whether a saved VM (stream, libvirt save image, qcow2 snapshot) or a running one (its
 * info ramblock table) loads on a firmware tree. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "diff.h"
#include "json.h"
#include "libvirtsave.h"
#include "migstream.h"
#include "qcow2.h"
#include "ramtable.h"
#include "statejudge.h"
#include "unpack.h"

/* The block list comes within the first KiB or so (../shared/SAVED-STATES.md
 * 2): 64 KiB of a stream are read first, 1 MiB at most when the list has not
 * ended by then, whatever the state's size. */
#define FIRST_READ      (64u << 10)
#define STREAM_PREFIX   (1u << 20)
#define COMPRESSED_MAX  (64u << 20)  /* compressed bytes read to get that prefix */

struct src {
	int fd;
	uint64_t size;
};

static int rd_at(void *ctx, uint64_t off, uint8_t *buf, size_t n)
{
	const struct src *s = ctx;
	size_t done = 0;

	if (off > s->size || n > s->size - off)
		return -1;
	while (done < n) {
		ssize_t r = pread(s->fd, buf + done, n - done, (off_t)(off + done));

		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

/* One saved state: its name for people, the stream's first bytes, the loader its XML names. */
struct state {
	char what[512];
	const char *kind;          /* "stream", "libvirt", "qcow2", "ramblock" (a running VM's table) */
	uint8_t *buf;              /* STREAM_PREFIX bytes */
	size_t len, limit;         /* bytes of the stream in buf; how many were asked for */
	char loader[256];          /* basename of the <loader> a libvirt image names, or "" */
	char machine_xml[128];
};

/* Decompresses the stream at off into st->buf, at most st->limit bytes, reading COMPRESSED_MAX at most. 0, 1 or 2 (with why). */
static int unpack_stream(const struct src *s, uint64_t off, enum unpack_format f, struct state *st, char *why, size_t whysz)
{
	const uint64_t whole = s->size - off, in = whole < COMPRESSED_MAX ? whole : COMPRESSED_MAX;
	struct diag d;
	int ended = 0;
	enum lib_result r;

	diag_init(&d);
	r = unpack_prefix(f, rd_at, (void *)s, off, in, st->buf, st->limit, &st->len, &ended, &d);
	if (r != LIB_OK) {
		snprintf(why, whysz, "the stream: %s", d.n ? d.item[0].msg : "not read");
		return cli_exit(r);
	}
	if (!ended && st->len < st->limit && in == whole) {
		snprintf(why, whysz, "the stream: its %s data stops short at the end of the file (0x%llx bytes in, 0x%zx out): the file is cut",
			 unpack_format_name(f), (unsigned long long)whole, st->len);
		return 1;
	}
	return 0;
}

/*
 * lzop has no library: the program libvirt itself runs to restore (lzop -dc),
 * reading the file from off, its output cut at st->limit bytes. 0, or 1 or 2 with why.
 */
static int lzop_stream(const struct src *s, uint64_t off, struct state *st, char *why, size_t whysz)
{
	int pfd[2], status = 0;
	pid_t pid;

	if (lseek(s->fd, (off_t)off, SEEK_SET) < 0 || pipe(pfd) < 0) {
		snprintf(why, whysz, "lzop: %s", strerror(errno));
		return 2;
	}
	if ((pid = fork()) < 0) {
		snprintf(why, whysz, "lzop: fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return 2;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(s->fd, 0);
		dup2(pfd[1], 1);
		if (null >= 0)
			dup2(null, 2); /* its own words for a cut file are odd ("Inappropriate ioctl"): ours say it */
		close(pfd[0]);
		close(pfd[1]);
		execlp("lzop", "lzop", "-dc", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while (st->len < st->limit) {
		ssize_t r = read(pfd[0], st->buf + st->len, st->limit - st->len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		st->len += (size_t)r;
	}
	close(pfd[0]);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		snprintf(why, whysz, "the stream is lzop's, and lzop (the program libvirt restores it with) is not installed");
		return 2;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0 && st->len < st->limit) {
		snprintf(why, whysz, "the stream: lzop -dc said it is not valid (exit %d) after 0x%zx bytes out",
			 WEXITSTATUS(status), st->len);
		return 1;
	}
	return 0;
}

/* A libvirt save image: header and domain XML (lib/libvirtsave.c), then the
 * stream at 92 + data_len, raw or compressed as the header says. 0, 1 refused, 2 trouble. */
static int libvirt_state(const struct src *s, const char *path, struct state *st, char *why, size_t whysz)
{
	struct libvirt_save h = { 0 };
	struct diag d;
	uint8_t *head;
	size_t n = s->size < LIBVIRT_SAVE_HDR ? (size_t)s->size : LIBVIRT_SAVE_HDR;
	int rc;

	/* the header first, then it and the domain XML it announces (bounded there) */
	if (!(head = malloc(LIBVIRT_SAVE_HDR + (size_t)LIBVIRT_SAVE_DATA_MAX))) {
		fprintf(stderr, "romsize: %s: out of memory for the domain XML\n", path);
		return 2;
	}
	diag_init(&d);
	rc = rd_at((void *)s, 0, head, n) < 0 ? 2 : cli_exit(libvirt_save_parse(head, n, &h, &d));
	if (rc == 0 || (h.data_len && h.stream_off <= s->size)) {
		n = h.stream_off <= s->size ? (size_t)h.stream_off : n;
		diag_init(&d);
		rc = rd_at((void *)s, 0, head, n) < 0 ? 2 : cli_exit(libvirt_save_parse(head, n, &h, &d));
	}
	free(head);
	if (rc) {
		snprintf(why, whysz, "%s", d.n ? d.item[0].msg : "read error");
		return rc;
	}
	if (h.stream_off > s->size) {
		snprintf(why, whysz, "libvirt save image: the stream would start at 0x%llx, past the file's 0x%llx bytes",
			 (unsigned long long)h.stream_off, (unsigned long long)s->size);
		return 1;
	}
	snprintf(st->machine_xml, sizeof(st->machine_xml), "%s", h.machine);
	snprintf(st->loader, sizeof(st->loader), "%s", h.loader);
	st->kind = "libvirt";
	snprintf(st->what, sizeof(st->what), "%s (libvirt save image, %s)", path, libvirt_format_name(h.format));
	switch (h.format) {
	case LV_GZIP:
		return unpack_stream(s, h.stream_off, UNPACK_GZIP, st, why, whysz);
	case LV_BZIP2:
		return unpack_stream(s, h.stream_off, UNPACK_BZIP2, st, why, whysz);
	case LV_XZ:
		return unpack_stream(s, h.stream_off, UNPACK_XZ, st, why, whysz);
	case LV_ZSTD:
		return unpack_stream(s, h.stream_off, UNPACK_ZSTD, st, why, whysz);
	case LV_LZOP:
		return lzop_stream(s, h.stream_off, st, why, whysz);
	default: /* raw, sparse: the stream as QEMU wrote it */
		break;
	}
	st->len = s->size - h.stream_off < st->limit ? (size_t)(s->size - h.stream_off) : st->limit;
	if (rd_at((void *)s, h.stream_off, st->buf, st->len) < 0) {
		snprintf(why, whysz, "read error at 0x%llx", (unsigned long long)h.stream_off);
		return 2;
	}
	return 0;
}

static void block_json(struct json *j, const struct mig_block *b, const struct block_judgement *v)
{
	json_obj(j, NULL);
	json_str(j, "name", b->name);
	json_u64(j, "used", b->used);
	json_str(j, "verdict", block_verdict_name(v->v));
	if (v->new_used)
		json_u64(j, "new", v->new_used);
	else
		json_null(j, "new");
	json_str(j, "files", v->files[0] ? v->files : NULL);
	json_str(j, "devices", v->devices[0] ? v->devices : NULL);
	json_end(j, '}');
}

/*
 * A stream with no machine type (2.3 and older), or a running VM's table (none
 * ever; none_why says which): judged for the default files
 * and for each machine type the romfile table gives files of its own
 * (pc-i440fx-1.4 to 1.7 and isapc load bios.bin; 1.4 pxe-*.rom). 0 when every
 * one gives the same verdict, else 1 with the reason (--machine says which).
 * Leaves ms->machine "".
 */
static int machine_matters(const struct diff_tables *t, struct mig_stream *ms, const struct fw_size *set, size_t nset,
			   const char *loader, const char *none_why, struct diag *d)
{
	static struct block_judgement scratch[MIG_BLOCKS_MAX];
	struct diag q;
	int first;

	diag_init(&q);
	first = state_judge(ms, t->devs, set, nset, loader, scratch, &q) == LIB_OK; /* the default files */
	for (size_t i = 0; i < t->devs->n; i++) {
		for (const char *p = t->devs->e[i].machines; *p;) { /* each machine type of a row that has them */
			size_t k = strcspn(p, ",");
			int ok;

			snprintf(ms->machine, sizeof(ms->machine), "%.*s", (int)k, p);
			diag_init(&q);
			ok = state_judge(ms, t->devs, set, nset, loader, scratch, &q) == LIB_OK;
			if (ok != first) {
				diag_add(d, DIAG_ERROR, "%s, and whether it loads depends on it (%s: %s): pass --machine TYPE",
					 none_why, ms->machine, ok ? "loads" : "does not load");
				ms->machine[0] = '\0';
				return 1;
			}
			p += k + (p[k] == ',');
		}
	}
	ms->machine[0] = '\0';
	return 0;
}

/* Judges one state's stream against NEW; prints it. 0 loads, 1 does not or cannot tell, 2 trouble. */
static int judge_one(const struct diff_tables *t, struct state *st, const struct fw_size *set, size_t nset,
		     struct json *j)
{
	static struct mig_stream ms;
	static struct block_judgement out[MIG_BLOCKS_MAX];
	struct diag d;
	int short_read, rc;
	size_t firmware = 0;

	const int table = !strcmp(st->kind, "ramblock");

	diag_init(&d);
	rc = cli_exit(table ? ramtable_parse(st->buf, st->len, &ms, &d) : mig_stream_parse(st->buf, st->len, &ms, &short_read, &d));
	if (rc == 0) {
		const char *loader;

		if (!st->loader[0] && t->code)
			snprintf(st->loader, sizeof(st->loader), "%s", t->code);
		loader = st->loader[0] ? st->loader : NULL;
		/* machine types 2.3 and older send no machine type: the libvirt XML's, or --machine */
		if (!ms.machine[0])
			snprintf(ms.machine, sizeof(ms.machine), "%s",
				 st->machine_xml[0] ? st->machine_xml : t->machine ? t->machine : "");
		if (!ms.machine[0])
			rc = machine_matters(t, &ms, set, nset, loader, table ?
					     "a RAM block table names no machine type (libvirt: virsh dumpxml, <type machine=...>)" :
					     "the stream names no machine type (machine types 2.3 and older send none)", &d);
		/* the blocks are judged (and shown) even when the machine type is the question */
		rc = cli_worse(rc, cli_exit(state_judge(&ms, t->devs, set, nset, loader, out, &d)));
	} else {
		ms.n = 0;
	}
	for (size_t i = 0; i < ms.n; i++)
		firmware += out[i].kind != BLOCK_OTHER && out[i].kind != BLOCK_RESIZABLE;
	if (j) {
		json_obj(j, NULL);
		json_str(j, "state", st->what);
		json_str(j, "kind", st->kind);
		json_str(j, "machine", ms.n && ms.machine[0] ? ms.machine : st->machine_xml[0] ? st->machine_xml : NULL);
		json_str(j, "loader", st->loader[0] ? st->loader : NULL);
		json_arr(j, "blocks");
		for (size_t i = 0; i < ms.n; i++)
			block_json(j, &ms.block[i], &out[i]);
		json_end(j, ']');
		json_bool(j, "ok", rc == 0);
		json_arr(j, "errors");
		for (size_t i = 0; i < d.n; i++)
			if (d.item[i].level == DIAG_ERROR)
				json_str(j, NULL, d.item[i].msg);
		json_end(j, ']');
		json_end(j, '}');
	} else {
		printf("%s: %s, %zu RAM blocks, %zu from firmware files: %s\n", st->what,
		       ms.n ? (ms.machine[0] ? ms.machine : table ? "no machine type (--machine)" :
			       "no machine type in the stream (2.3 or older)") : "not read",
		       ms.n, firmware, rc == 0 ? "loads on the new set" : "does NOT load on the new set");
		for (size_t i = 0; i < ms.n; i++) {
			const struct block_judgement *v = &out[i];

			if (v->kind == BLOCK_OTHER || v->kind == BLOCK_RESIZABLE)
				continue;
			printf("  %-8s %s: 0x%llx", block_verdict_name(v->v), ms.block[i].name,
			       (unsigned long long)v->used);
			if (v->v == BV_CHANGED)
				printf(" -> 0x%llx", (unsigned long long)v->new_used);
			if (v->files[0])
				printf(" (%s)", v->files);
			if (v->devices[0] && v->kind == BLOCK_ROM)
				printf("; devices: %s", v->devices);
			putchar('\n');
		}
	}
	cli_print_diag("romsize", st->what, &d);
	return rc;
}

/* The block list has not ended within what was read, and the read stopped at its limit. */
static int needs_more(const struct state *st)
{
	static struct mig_stream ms;
	struct diag d;
	int short_read = 0;

	diag_init(&d);
	mig_stream_parse(st->buf, st->len, &ms, &short_read, &d);
	return short_read && st->len == st->limit && st->limit < STREAM_PREFIX;
}

int cmd_diff_state(const struct diff_tables *t, const char *path, const char *new_root, int json)
{
	static struct qcow2 q;
	struct fw_size *set = NULL;
	char (*names)[SLOTS_NAME_MAX] = NULL;
	size_t nset = 0, nok = 0, nbad = 0;
	struct src s = { -1, 0 };
	struct state st;
	struct stat sb;
	struct json j;
	uint8_t magic[16] = { 0 };
	char why[300] = "";
	int rc, worst = 0;

	if (t->overlay) {
		fprintf(stderr, "romsize: %s: --overlay lays a package over an installed tree; with a saved state, NEW is the whole tree\n", path);
		return 2;
	}
	if ((s.fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(s.fd, &sb) < 0) {
		fprintf(stderr, "romsize: %s: cannot open: %s\n", path, strerror(errno));
		if (s.fd >= 0)
			close(s.fd);
		return 2;
	}
	s.size = (uint64_t)sb.st_size;
	if ((rc = diff_file_sizes(t, new_root, &set, &nset, &names)) != 0) {
		close(s.fd);
		return rc;
	}
	memset(&st, 0, sizeof(st));
	if (!(st.buf = malloc(STREAM_PREFIX))) {
		fprintf(stderr, "romsize: %s: out of memory for 0x%x bytes\n", path, STREAM_PREFIX);
		rc = 2;
		goto out;
	}
	rd_at(&s, 0, magic, s.size < 16 ? (size_t)s.size : 16);
	if (json) {
		json_doc(&j, stdout, "romsize", 1, "diff");
		json_str(&j, "old", path);
		json_str(&j, "new", new_root);
		json_arr(&j, "states");
	}
	if (!memcmp(magic, "QFI\xfb", 4)) {
		struct diag d;

		diag_init(&d);
		if (qcow2_open(rd_at, &s, &q, &d) != LIB_OK) {
			cli_print_diag("romsize", path, &d);
			worst = 1;
		}
		for (size_t i = 0; !worst && i < q.nsnap; i++) {
			const struct qcow2_snapshot *sn = &q.snap[i];

			if (!sn->vm_state_size)
				continue; /* a disk-only snapshot: no VM state to load */
			st.kind = "qcow2";
			st.loader[0] = st.machine_xml[0] = '\0';
			snprintf(st.what, sizeof(st.what), "%s snapshot %s '%s'", path, sn->id, sn->name);
			for (st.limit = FIRST_READ;; st.limit = STREAM_PREFIX) {
				st.len = sn->vm_state_size < st.limit ? (size_t)sn->vm_state_size : st.limit;
				diag_init(&d);
				if (qcow2_vmstate(rd_at, &s, &q, sn, st.buf, st.len, &d) != LIB_OK) {
					cli_print_diag("romsize", st.what, &d);
					st.len = 0;
				}
				if (!needs_more(&st))
					break;
			}
			rc = judge_one(t, &st, set, nset, json ? &j : NULL);
			worst = cli_worse(worst, rc);
			rc ? nbad++ : nok++;
		}
		if (!worst && nok + nbad == 0) {
			fprintf(stderr, "romsize: %s: a qcow2 image with no snapshot holding a VM state (%zu snapshots)\n", path, q.nsnap);
			worst = 1;
		}
	} else {
		for (st.limit = FIRST_READ;; st.limit = STREAM_PREFIX) {
			st.len = 0;
			if (!memcmp(magic, "LibvirtQemud", 12)) {
				rc = libvirt_state(&s, path, &st, why, sizeof(why));
			} else {
				st.kind = "stream";
				snprintf(st.what, sizeof(st.what), "%s (QEMU migration stream)", path);
				st.len = s.size < st.limit ? (size_t)s.size : st.limit;
				rc = rd_at(&s, 0, st.buf, st.len) < 0 ? 2 : 0;
				if (!rc && ramtable_detect(st.buf, st.len)) {
					/* a running VM's table: a few KiB; 64 KiB is 256 rows and more */
					st.kind = "ramblock";
					snprintf(st.what, sizeof(st.what), "%s (info ramblock of a running VM)", path);
					if (s.size > st.len) {
						snprintf(why, sizeof(why), "an info ramblock table of %llu bytes: more than the %zu a table of %d blocks takes",
							 (unsigned long long)s.size, st.len, MIG_BLOCKS_MAX);
						rc = 1;
					}
					break;
				}
			}
			if (rc || !needs_more(&st))
				break;
		}
		if (rc) {
			fprintf(stderr, "romsize: %s: %s\n", path, why[0] ? why : "read error");
			worst = rc;
		} else {
			worst = judge_one(t, &st, set, nset, json ? &j : NULL);
			worst ? nbad++ : nok++;
		}
	}
	if (json)
		json_done_files(&j, worst == 0);
	else if (nok + nbad > 1)
		printf("%zu saved states: %zu load on the new set, %zu do not\n", nok + nbad, nok, nbad);
	rc = worst;
out:
	free(st.buf);
	free(set);
	free(names);
	close(s.fd);
	return rc;
}
