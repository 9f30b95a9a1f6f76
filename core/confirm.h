/* Asking the operator, as Terraform asks: the question on stderr, the
 * answer from stdin; only the environment's name or "yes" go on. */
#ifndef CORE_CONFIRM_H
#define CORE_CONFIRM_H

/* Prints "QUESTION? only 'ENV' or 'yes' is accepted: " and reads a line.
 * 1 when the answer was env or "yes", else 0. */
int confirm(const char *question, const char *env);

#endif
