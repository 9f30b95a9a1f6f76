/* The AWS services stackhost talks to: protocol, API version, signing
 * name, JSON target prefix, and where each one's endpoint is. */
#ifndef CORE_AWS_SERVICE_H
#define CORE_AWS_SERVICE_H

#include <stackhost/service.h>

#include "strbuf.h"

enum aws_protocol { AWS_PROTO_EC2, AWS_PROTO_QUERY, AWS_PROTO_JSON, AWS_PROTO_REST_XML, AWS_PROTO_REST_JSON };

struct aws_service {
    const char *name;         /* what plugins pass: "ec2", "elbv2", ... */
    const char *env_id;       /* AWS_ENDPOINT_URL_<env_id> */
    const char *signing_name; /* the SigV4 service */
    const char *host_prefix;  /* host is <prefix>.<region>.<dns suffix> */
    enum aws_protocol protocol;
    const char *api_version;  /* query protocols: the Version; rest-xml: the body's xmlns */
    const char *target;       /* JSON: X-Amz-Target prefix */
    const char *content_type; /* JSON: application/x-amz-json-1.x */
    int global;               /* one endpoint for the partition (IAM) */
    /* Pagination: the request's token field and the answer's. */
    const char *token_in, *token_out;
    const sh_rest_op *ops;    /* rest protocols: the operations' HTTP bindings */
    const char *owner;        /* the plugin that declared it; NULL: built in */
};

/* At most this many services declared by plugins, all plugins together. */
#define AWS_DECLARED_MAX 64

/* Declares a plugin's service (the loader, when it opens the plugin):
 * checked, then found by aws_service_find like a built-in one. The
 * strings are borrowed from the plugin, which stays loaded until
 * aws_services_forget(owner). 0, or -1 with why. Not thread-safe: plugins
 * are loaded before any request is sent. */
int aws_service_declare(const sh_service_decl *d, const char *owner, struct strbuf *why);
/* Forgets the services `owner` declared (its plugin is being closed). */
void aws_services_forget(const char *owner);
/* The HTTP binding of a rest service's operation, or NULL. */
const sh_rest_op *aws_rest_op(const struct aws_service *svc, const char *op);

/* The service by name, or NULL. */
const struct aws_service *aws_service_find(const char *name);
/* Names of every service, for messages: "ec2, elbv2, ...". */
void aws_service_names(struct strbuf *out);

/* Where a request for `svc` in `region` goes, and which region signs it:
 * AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, else the service's
 * real endpoint (IAM: the partition's global endpoint, signed in its
 * home region). url gets the endpoint; signing_region a static string or
 * `region`. */
/* 1 when region can be part of a host name: a DNS label of a-z, 0-9 and
 * '-' (us-east-1), so no region, wherever it was read, can send a signed
 * request (and its session token) to another host. */
int aws_region_valid(const char *region);
/* The service's url for region into url, and the region to sign for.
 * -1 (url empty) when the region is not valid (aws_region_valid). */
int aws_endpoint(const struct aws_service *svc, const char *region, struct strbuf *url, const char **signing_region);

/* "scheme://host[:port][/path]": the Host to sign, without a default port
 * (curl does not send one), and the path (default "/"). */
void aws_url_split(const char *url, struct strbuf *host, struct strbuf *path);

#endif
