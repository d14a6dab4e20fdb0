/* Unit tests for the native-thread helpers: demangling, syscall names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "inspect/sysnames.h"
#include "inspect/taskinfo.h"
#include "symbols/demangle.h"
#include "lib/banned.h"

static void expect_demangled(const char *mangled, const char *want);
static void test_demangle_cxx(void **state);
static void test_demangle_rust(void **state);
static void test_demangle_not_mangled(void **state);
static void test_sysnames(void **state);
static void test_state_names(void **state);

static void expect_demangled(const char *mangled, const char *want)
{
	char *got = demangle(mangled);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_demangle_cxx(void **state)
{
	(void)state;
	expect_demangled("_ZN5outer5inner6WorkerIiE9wait_hereEv",
			 "outer::inner::Worker<int>::wait_here()");
	expect_demangled("_ZN5outer5inner5levelILi2EEEvv",
			 "void outer::inner::level<2>()");
	/* A compiler clone keeps its suffix. */
	expect_demangled("_ZN2ns1fEv.cold", "ns::f() [clone .cold]");
}

static void test_demangle_rust(void **state)
{
	(void)state;
	/* Legacy: the hash path element is dropped. */
	expect_demangled("_ZN1r5outer5inner15Worker$LT$T$GT$9wait_here"
			 "17hd5e78213a1867ab8E",
			 "r::outer::inner::Worker<T>::wait_here");
	/* v0: generic arguments are kept. */
	expect_demangled("_RNvMNtNtCs6GmmlP4bgsG_1r5outer5innerINtB2_6Worker"
			 "yE9wait_hereB6_",
			 "<r::outer::inner::Worker<u64>>::wait_here");
}

static void test_demangle_not_mangled(void **state)
{
	(void)state;
	assert_null(demangle("main"));
	assert_null(demangle("runtime.mcall"));
	assert_null(demangle("main.(*T).run"));
	assert_null(demangle("_start"));
	assert_null(demangle("_Znot_really"));
	assert_null(demangle(""));
	assert_null(demangle(NULL));
}

static void test_sysnames(void **state)
{
	(void)state;
	assert_string_equal(sysnames_name(0), "read");
	assert_string_equal(sysnames_name(202), "futex");
	assert_string_equal(sysnames_name(230), "clock_nanosleep");
	assert_string_equal(sysnames_name(232), "epoll_wait");
	assert_string_equal(sysnames_name(219), "restart_syscall");
	assert_string_equal(sysnames_name(435), "clone3");
	assert_null(sysnames_name(-1));
	assert_null(sysnames_name(100000));
}

static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(taskinfo_state_name('S'), "sleeping");
	assert_string_equal(taskinfo_state_name('R'), "running");
	assert_string_equal(taskinfo_state_name('D'), "disk sleep");
	assert_string_equal(taskinfo_state_name('?'), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demangle_cxx),
		cmocka_unit_test(test_demangle_rust),
		cmocka_unit_test(test_demangle_not_mangled),
		cmocka_unit_test(test_sysnames),
		cmocka_unit_test(test_state_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
