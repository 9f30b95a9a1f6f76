#include "service.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* From docs/design/aws-api.md section 1 (botocore's models). */
static const struct aws_service services[] = {
    {"ec2", "EC2", "ec2", "ec2", AWS_PROTO_EC2, "2016-11-15", NULL, NULL, 0, "NextToken", "nextToken"},
    {"elbv2", "ELASTIC_LOAD_BALANCING_V2", "elasticloadbalancing", "elasticloadbalancing", AWS_PROTO_QUERY,
     "2015-12-01", NULL, NULL, 0, "Marker", "NextMarker"},
    {"ecr", "ECR", "ecr", "api.ecr", AWS_PROTO_JSON, NULL, "AmazonEC2ContainerRegistry_V20150921.",
     "application/x-amz-json-1.1", 0, "nextToken", "nextToken"},
    {"ecs", "ECS", "ecs", "ecs", AWS_PROTO_JSON, NULL, "AmazonEC2ContainerServiceV20141113.",
     "application/x-amz-json-1.1", 0, "nextToken", "nextToken"},
    {"iam", "IAM", "iam", "iam", AWS_PROTO_QUERY, "2010-05-08", NULL, NULL, 1, "Marker", "Marker"},
    {"ssm", "SSM", "ssm", "ssm", AWS_PROTO_JSON, NULL, "AmazonSSM.", "application/x-amz-json-1.1", 0, "NextToken",
     "NextToken"},
    {"logs", "CLOUDWATCH_LOGS", "logs", "logs", AWS_PROTO_JSON, NULL, "Logs_20140328.", "application/x-amz-json-1.1",
     0, "nextToken", "nextToken"},
    {"cloudwatch", "CLOUDWATCH", "monitoring", "monitoring", AWS_PROTO_QUERY, "2010-08-01", NULL, NULL, 0,
     "NextToken", "NextToken"},
    {"application-autoscaling", "APPLICATION_AUTO_SCALING", "application-autoscaling", "application-autoscaling",
     AWS_PROTO_JSON, NULL, "AnyScaleFrontendService.", "application/x-amz-json-1.1", 0, "NextToken", "NextToken"},
    {"sns", "SNS", "sns", "sns", AWS_PROTO_QUERY, "2010-03-31", NULL, NULL, 0, "NextToken", "NextToken"},
    {"kms", "KMS", "kms", "kms", AWS_PROTO_JSON, NULL, "TrentService.", "application/x-amz-json-1.1", 0, "Marker",
     "NextMarker"},
    {"sts", "STS", "sts", "sts", AWS_PROTO_QUERY, "2011-06-15", NULL, NULL, 0, NULL, NULL},
    /* the Resource Groups Tagging API: resources of a type found by their tags in one paginated call */
    {"tagging", "RESOURCE_GROUPS_TAGGING_API", "tagging", "tagging", AWS_PROTO_JSON, NULL,
     "ResourceGroupsTaggingAPI_20170126.", "application/x-amz-json-1.1", 0, "PaginationToken", "PaginationToken"},
    {"service-quotas", "SERVICE_QUOTAS", "servicequotas", "servicequotas", AWS_PROTO_JSON, NULL,
     "ServiceQuotasV20190624.", "application/x-amz-json-1.1", 0, "NextToken", "NextToken"},
};

const struct aws_service *aws_service_find(const char *name)
{
    for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
        if (name && !strcmp(services[i].name, name))
            return &services[i];
    return NULL;
}

void aws_service_names(struct strbuf *out)
{
    for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
        strbuf_addf(out, "%s%s", i ? ", " : "", services[i].name);
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
