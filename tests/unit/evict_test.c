// SPDX-License-Identifier: GPL-2.0-or-later
/* Keys and the eviction request: key files, keyring names, the kernel
 * request's encoding, error wording. The ioctl itself runs in the VM
 * (tests/vm/suites/evict.bats). */
#include <errno.h>
#include <fcntl.h>
#include <keyutils.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>
#include <sys/sysmacros.h>
#include <setjmp.h>
#include <cmocka.h>

#include "internal.h"
#include "kabi-blk-crypto.h"
#include "fixture.h"

struct env {
	char *root;
	struct fx_log log;
	struct dmcaps_ctx *ctx;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	e->root = fx_root();
	e->ctx = fx_ctx(e->root, &e->log);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	dmcaps_free(e->ctx);
	fx_rmrf(e->root);
	free(e);
	return 0;
}

/* A key file of @n bytes, each 'A' + i % 26 (printable, so a leak into a
 * message would be visible as text). Returns its path, malloc()ed. */
static char *key_file(const char *root, size_t n)
{
	char *path = NULL;
	size_t i;
	FILE *f;

	assert_true(asprintf(&path, "%s/key-%zu", root, n) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 0; i < n; i++)
		fputc('A' + i % 26, f);
	fclose(f);
	return path;
}

static void test_mode_key_sizes(void **state)
{
	assert_int_equal(dmcaps_mode_key_size("AES-256-XTS"), 64);
	assert_int_equal(dmcaps_mode_key_size("AES-128-CBC-ESSIV"), 16);
	assert_int_equal(dmcaps_mode_key_size("Adiantum"), 32);
	assert_int_equal(dmcaps_mode_key_size("SM4-XTS"), 32);
	assert_int_equal(dmcaps_mode_key_size("aes-256-xts"), -ENOENT);
	assert_int_equal(dmcaps_mode_key_size("FUTURE-MODE"), -ENOENT);
	assert_int_equal(dmcaps_mode_key_size(NULL), -EINVAL);
}

static void test_key_file_exact(void **state)
{
	struct env *e = *state;
	struct dmcaps_key *k = NULL;
	char *p = key_file(e->root, 64);
	const unsigned char *b;

	assert_int_equal(dmcaps_key_read_file(e->ctx, p, 64, &k), 0);
	assert_int_equal(dmcaps_key_size(k), 64);
	assert_int_equal(dmcaps_key_keyring_id(k), 0);
	b = dmcaps_key_bytes(k);
	assert_non_null(b);
	assert_int_equal(b[0], 'A');
	assert_int_equal(b[63], 'A' + 63 % 26);
	dmcaps_key_free(k);
	free(p);
}

static void test_key_file_wrong_size(void **state)
{
	struct env *e = *state;
	struct dmcaps_key *k = NULL;
	char *short_p = key_file(e->root, 63), *long_p = key_file(e->root, 65);

	assert_int_equal(dmcaps_key_read_file(e->ctx, short_p, 64, &k), -EMSGSIZE);
	assert_null(k);
	assert_true(fx_log_has(&e->log, "holds 63 bytes; the mode's key is 64 bytes"));
	fx_log_reset(&e->log);
	assert_int_equal(dmcaps_key_read_file(e->ctx, long_p, 64, &k), -EMSGSIZE);
	assert_true(fx_log_has(&e->log, "holds more than 64 bytes"));
	/* The key's bytes are never part of a message. */
	assert_false(fx_log_has(&e->log, "ABCDEF"));
	free(short_p);
	free(long_p);
}

static void test_key_file_unknown_mode_size(void **state)
{
	struct env *e = *state;
	struct dmcaps_key *k = NULL;
	char *p1 = key_file(e->root, 1), *p0 = key_file(e->root, 0);
	char *p65 = key_file(e->root, 65);

	assert_int_equal(dmcaps_key_read_file(e->ctx, p1, 0, &k), 0);
	assert_int_equal(dmcaps_key_size(k), 1);
	dmcaps_key_free(k);
	k = NULL;
	assert_int_equal(dmcaps_key_read_file(e->ctx, p0, 0, &k), -EMSGSIZE);
	assert_true(fx_log_has(&e->log, "holds 0 bytes; a key has 1 to 64 bytes"));
	assert_int_equal(dmcaps_key_read_file(e->ctx, p65, 0, &k), -EMSGSIZE);
	assert_null(k);
	assert_int_equal(dmcaps_key_read_file(e->ctx, p1, DMCAPS_KEY_MAX_SIZE + 1, &k),
			 -EINVAL);
	free(p1);
	free(p0);
	free(p65);
}

static void test_key_file_missing(void **state)
{
	struct env *e = *state;
	struct dmcaps_key *k = NULL;

	assert_int_equal(dmcaps_key_read_file(e->ctx, "/nonexistent/key", 64, &k),
			 -ENOENT);
	assert_true(fx_log_has(&e->log, "cannot open key file /nonexistent/key"));
}

static void test_key_stdin(void **state)
{
	struct env *e = *state;
	struct dmcaps_key *k = NULL;
	int saved = dup(STDIN_FILENO), fds[2];

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "0123456789abcdef", 16), 16);
	close(fds[1]);
	dup2(fds[0], STDIN_FILENO);
	close(fds[0]);
	assert_int_equal(dmcaps_key_read_file(e->ctx, "-", 16, &k), 0);
	assert_memory_equal(dmcaps_key_bytes(k), "0123456789abcdef", 16);
	dmcaps_key_free(k);

	/* Short on standard input: named as such. */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "0123", 4), 4);
	close(fds[1]);
	dup2(fds[0], STDIN_FILENO);
	close(fds[0]);
	k = NULL;
	assert_int_equal(dmcaps_key_read_file(e->ctx, "-", 16, &k), -EMSGSIZE);
	assert_true(fx_log_has(&e->log, "key file standard input holds 4 bytes"));
	dup2(saved, STDIN_FILENO);
	close(saved);
}

static void test_keyring_bad_names(void **state)
{
	static const char *const bad[] = {
		"nocolon", ":desc", "logon:", "asymmetric:x", "keyring:x",
		"fscrypt-provisioning:x",
	};
	struct env *e = *state;
	struct dmcaps_key *k = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(dmcaps_key_from_keyring(e->ctx, bad[i], &k), -EINVAL);
		assert_null(k);
	}
}

static void test_keyring_lookup(void **state)
{
	struct env *e = *state;
	struct dmcaps_key *k = NULL;
	char desc[64], name[80];
	key_serial_t id;

	/* A session keyring of our own, so the test sees only its key. */
	if (keyctl_join_session_keyring(NULL) < 0)
		skip();
	snprintf(desc, sizeof(desc), "dmcaps-unit-%d", (int)getpid());
	snprintf(name, sizeof(name), "user:%s", desc);
	assert_int_equal(dmcaps_key_from_keyring(e->ctx, name, &k), -ENOKEY);
	assert_true(fx_log_has(&e->log, "no user key"));

	id = add_key("user", desc, "0123456789abcdef", 16, KEY_SPEC_SESSION_KEYRING);
	assert_true(id > 0);
	assert_int_equal(dmcaps_key_from_keyring(e->ctx, name, &k), 0);
	assert_int_equal(dmcaps_key_keyring_id(k), id);
	assert_int_equal(dmcaps_key_size(k), 0);
	assert_null(dmcaps_key_bytes(k));
	dmcaps_key_free(k);
	keyctl_invalidate(id);
}

static void test_request_raw(void **state)
{
	struct env *e = *state;
	struct dmcaps_key_config cfg = { "AES-256-XTS", 4096, 8 };
	struct blk_crypto_evict_failure entries[4];
	struct blk_crypto_evict_key_arg arg;
	struct dmcaps_key *k = NULL;
	char *p = key_file(e->root, 64);

	assert_int_equal(dmcaps_key_read_file(e->ctx, p, 64, &k), 0);
	memset(&arg, 0xff, sizeof(arg));
	assert_int_equal(dmcaps_evict_arg_build(&cfg, k, &arg, entries, 4), 0);
	assert_int_equal(arg.version, BLK_CRYPTO_EVICT_KEY_VERSION);
	assert_int_equal(arg.flags, 0);
	assert_string_equal(arg.mode, "AES-256-XTS");
	assert_int_equal(arg.data_unit_size, 4096);
	assert_int_equal(arg.dun_bytes, 8);
	assert_ptr_equal((void *)(uintptr_t)arg.key_ptr, dmcaps_key_bytes(k));
	assert_int_equal(arg.key_size, 64);
	assert_int_equal(arg.key_id, 0);
	assert_ptr_equal((void *)(uintptr_t)arg.failures_ptr, entries);
	assert_int_equal(arg.failures_len, 4);
	/* Everything else is zero, as the kernel demands of reserved
	 * fields and outputs. */
	assert_int_equal(arg.nr_failures | arg.slots_evicted | arg.slots_busy |
			 arg.devices_visited | arg.reserved32, 0);
	assert_int_equal(arg.reserved[0] | arg.reserved[1] | arg.reserved[2] |
			 arg.reserved[3], 0);
	dmcaps_key_free(k);
	free(p);
}

static void test_request_keyring_and_bad_mode(void **state)
{
	struct env *e = *state;
	struct dmcaps_key_config cfg = { "Adiantum", 4096, 8 };
	struct dmcaps_key_config long_mode = {
		"A-MODE-NAME-OF-THIRTY-TWO-CHARS!", 4096, 8 };
	struct blk_crypto_evict_key_arg arg;
	struct dmcaps_key *k = NULL;
	key_serial_t id;

	if (keyctl_join_session_keyring(NULL) < 0)
		skip();
	id = add_key("logon", "dmcaps:unit", "0123456789abcdef0123456789abcdef",
		     32, KEY_SPEC_SESSION_KEYRING);
	assert_true(id > 0);
	assert_int_equal(dmcaps_key_from_keyring(e->ctx, "logon:dmcaps:unit", &k), 0);
	assert_int_equal(dmcaps_evict_arg_build(&cfg, k, &arg, NULL, 0), 0);
	assert_int_equal(arg.flags, BLK_CRYPTO_EVICT_KEY_KEYRING);
	assert_int_equal(arg.key_id, id);
	assert_int_equal(arg.key_ptr, 0);
	assert_int_equal(arg.key_size, 0);
	assert_int_equal(arg.failures_ptr, 0);
	/* The mode field holds 31 characters and the NUL. */
	assert_int_equal(strlen(long_mode.mode), 32);
	assert_int_equal(dmcaps_evict_arg_build(&long_mode, k, &arg, NULL, 0), -ENAMETOOLONG);
	dmcaps_key_free(k);
	keyctl_invalidate(id);
}

static void test_strerror_distinct(void **state)
{
	static const int documented[] = {
		ENOTTY, EOPNOTSUPP, ENOENT, EMSGSIZE, EDOM, ERANGE, ENOKEY,
		EKEYREJECTED, EKEYREVOKED, EKEYEXPIRED, EACCES, EPERM, EINVAL,
	};
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(documented); i++) {
		const char *a = dmcaps_evict_strerror(-documented[i]);

		assert_string_equal(a, dmcaps_evict_strerror(documented[i]));
		assert_string_not_equal(a, strerror(documented[i]));
		for (j = 0; j < i; j++)
			assert_string_not_equal(a,
				dmcaps_evict_strerror(-documented[j]));
	}
	assert_string_equal(dmcaps_evict_strerror(-EIO), strerror(EIO));
}

/* An error value out of errno's range, INT_MIN above all (whose negation
 * overflowed), is a malformed answer, not a crash or "Unknown error". */
static void test_strerror_out_of_range(void **state)
{
	assert_string_equal(dmcaps_evict_strerror(INT_MIN), strerror(EBADMSG));
	assert_string_equal(dmcaps_evict_strerror(INT_MAX), strerror(EBADMSG));
	assert_string_equal(dmcaps_evict_strerror(-4096), strerror(EBADMSG));
	assert_string_equal(dmcaps_evict_strerror(0), strerror(EBADMSG));
	assert_string_equal(dmcaps_evict_strerror(-EIO), strerror(EIO));
}

/* The kernel's failure records as the result gives them: errors within
 * errno's range, never more records than the room it was given. */
static void test_reply_decoded(void **state)
{
	struct blk_crypto_evict_key_arg arg = { 0 };
	struct blk_crypto_evict_failure entries[DMCAPS_EVICT_FAILURE_ENTRIES];
	struct dmcaps_evict_result res;
	dev_t devno;
	int err;

	memset(entries, 0, sizeof(entries));
	memset(&res, 0xa5, sizeof(res));
	arg.slots_evicted = 3;
	arg.nr_failures = 0xffffffffu;
	entries[0] = (struct blk_crypto_evict_failure){ 8, 16, INT_MIN, 0 };
	entries[1] = (struct blk_crypto_evict_failure){ 8, 32, -EIO, 0 };
	entries[2] = (struct blk_crypto_evict_failure){ 8, 48, EBUSY, 0 };
	dmcaps_evict_reply(&arg, entries, 3, &res);
	assert_int_equal(dmcaps_evict_result_evicted(&res), 3);
	assert_int_equal(dmcaps_evict_result_failures(&res), 0xffffffffu);
	assert_int_equal(dmcaps_evict_result_failure_entries(&res), 3);
	assert_int_equal(dmcaps_evict_result_failure(&res, 0, &devno, &err), 0);
	assert_int_equal(err, -EBADMSG);
	assert_int_equal(dmcaps_evict_result_failure(&res, 1, &devno, &err), 0);
	assert_int_equal(err, -EIO);
	assert_int_equal(minor(devno), 32);
	assert_int_equal(dmcaps_evict_result_failure(&res, 2, &devno, &err), 0);
	assert_int_equal(err, -EBUSY);
	assert_int_equal(dmcaps_evict_result_failure(&res, 3, &devno, &err),
			 -EINVAL);
}

static void test_evict_needs_running_system(void **state)
{
	struct env *e = *state;
	struct dmcaps_evict_result *res = NULL;
	struct dmcaps_key *k = NULL;
	struct dmcaps_dev *d = NULL;
	char *p = key_file(e->root, 64);

	fx_disk(e->root, "nvme0n1", "259:0");
	assert_int_equal(dmcaps_dev_lookup(e->ctx, "nvme0n1", &d), 0);
	assert_int_equal(dmcaps_key_read_file(e->ctx, p, 64, &k), 0);
	assert_int_equal(dmcaps_evict_key(e->ctx, d, k, "AES-256-XTS", 4096, 8, &res),
			 -ENOTSUP);
	assert_null(res);
	assert_true(fx_log_has(&e->log, "only be evicted on the running system"));
	dmcaps_key_free(k);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_key_sizes),
		cmocka_unit_test_setup_teardown(test_key_file_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_file_wrong_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_file_unknown_mode_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_file_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_stdin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keyring_bad_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keyring_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_raw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_keyring_and_bad_mode, setup, teardown),
		cmocka_unit_test(test_strerror_distinct),
		cmocka_unit_test(test_strerror_out_of_range),
		cmocka_unit_test(test_reply_decoded),
		cmocka_unit_test_setup_teardown(test_evict_needs_running_system, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
