/*
 * stackhost SDK: status values.
 *
 * Every host function and plugin callback that can fail returns an
 * sh_status. The numbers are part of the ABI: they never change and new
 * values are only ever added at the end (as curl does with CURLcode).
 * The text of an error lives in the plugin context (see host.h, fail()).
 */
#ifndef STACKHOST_STATUS_H
#define STACKHOST_STATUS_H

typedef enum sh_status {
    SH_OK = 0,
    SH_ERR = 1,             /* a failure with no better category */
    SH_ERR_CONFIG = 2,      /* the configuration is wrong: user must edit it */
    SH_ERR_AWS = 3,         /* an AWS request failed */
    SH_ERR_CONFLICT = 4,    /* a resource has our name but not our tags */
    SH_ERR_UNSUPPORTED = 5, /* the plugin or host cannot do this yet */
    SH_ERR_CANCELLED = 6,   /* SIGINT/SIGTERM or an earlier failure stopped it */
    SH_ERR_TIMEOUT = 7,     /* a wait ran out of time */
    SH_ERR_NOMEM = 8,
    SH_ERR_NOT_FOUND = 9,   /* a looked-up value or resource does not exist */
    SH_ERR_INVALID = 10,    /* a host function was called with bad arguments */
    /* ABI 1.3 hosts and later: the plugin converged what it could and
     * recorded why the rest waits on the user (an image to push). The run
     * fails, and what reads the missing outputs is cut short, but the
     * other plugins are not stopped: they finish their work. */
    SH_ERR_INCOMPLETE = 11
} sh_status;

/* A short, stable, lower-case name for a status; never NULL. */
static inline const char *sh_status_name(sh_status s)
{
    switch (s) {
    case SH_OK: return "ok";
    case SH_ERR: return "error";
    case SH_ERR_CONFIG: return "configuration error";
    case SH_ERR_AWS: return "aws error";
    case SH_ERR_CONFLICT: return "conflict";
    case SH_ERR_UNSUPPORTED: return "unsupported";
    case SH_ERR_CANCELLED: return "cancelled";
    case SH_ERR_TIMEOUT: return "timeout";
    case SH_ERR_NOMEM: return "out of memory";
    case SH_ERR_NOT_FOUND: return "not found";
    case SH_ERR_INVALID: return "invalid argument";
    case SH_ERR_INCOMPLETE: return "incomplete";
    }
    return "unknown status";
}

#endif
