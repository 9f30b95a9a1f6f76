/* Shared by the unit tests: CMocka, temporary files, diag checks. */
#ifndef TESTS_HELPERS_H
#define TESTS_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "diag.h"

/* Writes content to <a fresh temporary directory>/<name>; returns the path
 * (valid until test_cleanup_files). */
const char *test_write_file(const char *name, const char *content);
/* Removes every file and directory test_write_file made. */
void test_cleanup_files(void);
/* Fails the test, printing every problem, unless one contains needle. */
void assert_diag_has(const struct diag_list *dl, const char *needle);
/* Reads a whole file (caller frees). */
char *test_read_file(const char *path);
struct aws_client;
/* aws_client_init, then the aws cli's settings from the environment, as a run does. */
void test_client_init(struct aws_client *c, const char *region, int max_in_flight);

#endif
