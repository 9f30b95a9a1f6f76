#include "service.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* From docs/design/aws-api.md section 1 (botocore's models). */
static const struct aws_service services[] = {
    {"ec2", "EC2", "ec2", "ec2", AWS_PROTO_EC2, "2016-11-15", NULL, NULL, 0, "NextToken", "nextToken", NULL, NULL},
    {"elbv2", "ELASTIC_LOAD_BALANCING_V2", "elasticloadbalancing", "elasticloadbalancing", AWS_PROTO_QUERY,
     "2015-12-01", NULL, NULL, 0, "Marker", "NextMarker", NULL, NULL},
    {"ecr", "ECR", "ecr", "api.ecr", AWS_PROTO_JSON, NULL, "AmazonEC2ContainerRegistry_V20150921.",
     "application/x-amz-json-1.1", 0, "nextToken", "nextToken", NULL, NULL},
    {"ecs", "ECS", "ecs", "ecs", AWS_PROTO_JSON, NULL, "AmazonEC2ContainerServiceV20141113.",
     "application/x-amz-json-1.1", 0, "nextToken", "nextToken", NULL, NULL},
    {"iam", "IAM", "iam", "iam", AWS_PROTO_QUERY, "2010-05-08", NULL, NULL, 1, "Marker", "Marker", NULL, NULL},
    {"ssm", "SSM", "ssm", "ssm", AWS_PROTO_JSON, NULL, "AmazonSSM.", "application/x-amz-json-1.1", 0, "NextToken",
     "NextToken", NULL, NULL},
    {"logs", "CLOUDWATCH_LOGS", "logs", "logs", AWS_PROTO_JSON, NULL, "Logs_20140328.", "application/x-amz-json-1.1",
     0, "nextToken", "nextToken", NULL, NULL},
    {"cloudwatch", "CLOUDWATCH", "monitoring", "monitoring", AWS_PROTO_QUERY, "2010-08-01", NULL, NULL, 0,
     "NextToken", "NextToken", NULL, NULL},
    {"application-autoscaling", "APPLICATION_AUTO_SCALING", "application-autoscaling", "application-autoscaling",
     AWS_PROTO_JSON, NULL, "AnyScaleFrontendService.", "application/x-amz-json-1.1", 0, "NextToken", "NextToken", NULL, NULL},
    {"sns", "SNS", "sns", "sns", AWS_PROTO_QUERY, "2010-03-31", NULL, NULL, 0, "NextToken", "NextToken", NULL, NULL},
    {"kms", "KMS", "kms", "kms", AWS_PROTO_JSON, NULL, "TrentService.", "application/x-amz-json-1.1", 0, "Marker",
     "NextMarker", NULL, NULL},
    {"sts", "STS", "sts", "sts", AWS_PROTO_QUERY, "2011-06-15", NULL, NULL, 0, NULL, NULL, NULL, NULL},
    /* the Resource Groups Tagging API: resources of a type found by their tags in one paginated call */
    {"tagging", "RESOURCE_GROUPS_TAGGING_API", "tagging", "tagging", AWS_PROTO_JSON, NULL,
     "ResourceGroupsTaggingAPI_20170126.", "application/x-amz-json-1.1", 0, "PaginationToken", "PaginationToken", NULL, NULL},
    {"service-quotas", "SERVICE_QUOTAS", "servicequotas", "servicequotas", AWS_PROTO_JSON, NULL,
     "ServiceQuotasV20190624.", "application/x-amz-json-1.1", 0, "NextToken", "NextToken", NULL, NULL},
};

/* Declared by plugins: a fixed array, so that a service found stays where
 * it is while others are declared. */
static struct aws_service declared[AWS_DECLARED_MAX];
static size_t ndeclared;

const struct aws_service *aws_service_find(const char *name)
{
    for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
        if (name && !strcmp(services[i].name, name))
            return &services[i];
    for (size_t i = 0; i < ndeclared; i++)
        if (name && declared[i].name && !strcmp(declared[i].name, name))
            return &declared[i];
    return NULL;
}

void aws_service_names(struct strbuf *out)
{
    for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
        strbuf_addf(out, "%s%s", i ? ", " : "", services[i].name);
    for (size_t i = 0; i < ndeclared; i++)
        if (declared[i].name)
            strbuf_addf(out, ", %s (%s)", declared[i].name, declared[i].owner);
}

static int all_of(const char *s, const char *chars)
{
    return s && *s && strspn(s, chars) == strlen(s);
}

#define LOWER "abcdefghijklmnopqrstuvwxyz0123456789-"
#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

/* What a declaration must hold for its protocol. */
static int declaration_valid(const sh_service_decl *d, struct strbuf *why)
{
    if (!all_of(d->name, LOWER) || strlen(d->name) > 64) {
        strbuf_addf(why, "its service name '%s' is not [a-z0-9-]+", d->name ? d->name : "(null)");
        return 0;
    }
    const char *missing = !all_of(d->env_id, UPPER)              ? "env_id ([A-Z0-9_]+)"
                          : !all_of(d->signing_name, LOWER)      ? "signing_name ([a-z0-9-]+)"
                          : !all_of(d->endpoint_prefix, LOWER ".") ? "endpoint_prefix ([a-z0-9.-]+)"
                                                                  : NULL;
    switch (d->protocol) {
    case SH_PROTOCOL_QUERY:
    case SH_PROTOCOL_EC2:
        missing = missing ? missing : !d->api_version ? "api_version (the Version of its requests)" : NULL;
        break;
    case SH_PROTOCOL_JSON_1_0:
    case SH_PROTOCOL_JSON_1_1:
        missing = missing ? missing : !d->target_prefix ? "target_prefix (its X-Amz-Target)" : NULL;
        break;
    case SH_PROTOCOL_REST_XML:
    case SH_PROTOCOL_REST_JSON:
        missing = missing ? missing : !d->ops || !d->ops[0].name ? "ops (the HTTP binding of each operation)" : NULL;
        for (size_t i = 0; !missing && d->ops[i].name; i++)
            if (!d->ops[i].method || !d->ops[i].uri || d->ops[i].uri[0] != '/')
                missing = "a method and a uri starting with '/' for every operation";
        break;
    default:
        strbuf_addf(why, "service '%s' has an unknown protocol %d", d->name, (int)d->protocol);
        return 0;
    }
    if (missing)
        strbuf_addf(why, "service '%s' declares no valid %s", d->name, missing);
    return !missing;
}

int aws_service_declare(const sh_service_decl *d, const char *owner, struct strbuf *why)
{
    if (!declaration_valid(d, why))
        return -1;
    const struct aws_service *other = aws_service_find(d->name);
    if (other) {
        strbuf_addf(why, "service '%s' is already %s", d->name,
                    other->owner ? "declared by plugin " : "built into the host");
        if (other->owner)
            strbuf_addstr(why, other->owner);
        return -1;
    }
    size_t at = 0;
    while (at < ndeclared && declared[at].name)
        at++;
    if (at == AWS_DECLARED_MAX) {
        strbuf_addf(why, "more than %d services are declared by the plugins together", AWS_DECLARED_MAX);
        return -1;
    }
    static const char *const content_types[] = {
        [SH_PROTOCOL_JSON_1_0] = "application/x-amz-json-1.0", [SH_PROTOCOL_JSON_1_1] = "application/x-amz-json-1.1",
        [SH_PROTOCOL_REST_XML] = "application/xml", [SH_PROTOCOL_REST_JSON] = "application/json"};
    enum aws_protocol protocol = d->protocol == SH_PROTOCOL_QUERY      ? AWS_PROTO_QUERY
                                 : d->protocol == SH_PROTOCOL_EC2      ? AWS_PROTO_EC2
                                 : d->protocol == SH_PROTOCOL_REST_XML ? AWS_PROTO_REST_XML
                                 : d->protocol == SH_PROTOCOL_REST_JSON ? AWS_PROTO_REST_JSON
                                                                        : AWS_PROTO_JSON;
    declared[at] = (struct aws_service){d->name, d->env_id, d->signing_name, d->endpoint_prefix, protocol,
                                        d->api_version, d->target_prefix, content_types[d->protocol], d->global,
                                        d->token_in, d->token_out, d->ops, owner};
    if (at == ndeclared)
        ndeclared++;
    return 0;
}

void aws_services_forget(const char *owner)
{
    for (size_t i = 0; i < ndeclared; i++)
        if (declared[i].owner && !strcmp(declared[i].owner, owner))
            memset(&declared[i], 0, sizeof(declared[i]));
    while (ndeclared && !declared[ndeclared - 1].name)
        ndeclared--;
}

const sh_rest_op *aws_rest_op(const struct aws_service *svc, const char *op)
{
    for (size_t i = 0; svc->ops && svc->ops[i].name; i++)
        if (!strcmp(svc->ops[i].name, op))
            return &svc->ops[i];
    return NULL;
}

static const char *nonempty_env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static int env_true(const char *name)
{
    const char *v = nonempty_env(name);
    return v && !strcasecmp(v, "true");
}

int aws_region_valid(const char *region)
{
    size_t len = region ? strlen(region) : 0;
    return len && len <= 63 && strspn(region, "abcdefghijklmnopqrstuvwxyz0123456789-") == len && region[0] != '-' &&
           region[len - 1] != '-';
}

int aws_endpoint(const struct aws_service *svc, const char *region, struct strbuf *url, const char **signing_region)
{
    *signing_region = "";
    if (!aws_region_valid(region))
        return -1;
    int china = !strncmp(region, "cn-", 3), gov = !strncmp(region, "us-gov-", 7);
    *signing_region = region;
    if (svc->global)
        *signing_region = china ? "cn-north-1" : gov ? "us-gov-west-1" : "us-east-1";
    struct strbuf var = STRBUF_INIT;
    strbuf_addf(&var, "AWS_ENDPOINT_URL_%s", svc->env_id);
    const char *override = nonempty_env(var.buf);
    strbuf_release(&var);
    if (!override)
        override = nonempty_env("AWS_ENDPOINT_URL");
    if (override) {
        strbuf_addstr(url, override);
        while (url->len && url->buf[url->len - 1] == '/')
            strbuf_setlen(url, url->len - 1);
        return 0;
    }
    const char *suffix = china ? "amazonaws.com.cn" : "amazonaws.com";
    int fips = env_true("AWS_USE_FIPS_ENDPOINT"), dualstack = env_true("AWS_USE_DUALSTACK_ENDPOINT");
    if (svc->global) {
        strbuf_addf(url, "https://%s%s.%s%s", svc->host_prefix, fips ? "-fips" : "",
                    china ? "cn-north-1." : gov ? "us-gov." : "", suffix);
        return 0;
    }
    /* FIPS: <service>-fips; dual-stack (IPv4 and IPv6): the api.aws domain. */
    const char *prefix = svc->host_prefix;
    if (fips && !strcmp(prefix, "api.ecr"))
        prefix = "ecr"; /* ECR's FIPS host is ecr-fips, not api.ecr-fips */
    if (dualstack)
        suffix = china ? "api.amazonwebservices.com.cn" : "api.aws";
    strbuf_addf(url, "https://%s%s.%s.%s", prefix, fips ? "-fips" : "", region, suffix);
    return 0;
}

void aws_url_split(const char *url, struct strbuf *host, struct strbuf *path)
{
    const char *p = strstr(url, "://");
    int https = !strncmp(url, "https://", 8), http = !strncmp(url, "http://", 7);
    p = p ? p + 3 : url;
    size_t n = strcspn(p, "/");
    strbuf_add(host, p, n);
    if ((https && host->len > 4 && !strcmp(host->buf + host->len - 4, ":443")) ||
        (http && host->len > 3 && !strcmp(host->buf + host->len - 3, ":80")))
        strbuf_setlen(host, host->len - (https ? 4 : 3));
    strbuf_addstr(path, p[n] ? p + n : "/");
}
