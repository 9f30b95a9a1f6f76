/* Calls one AWS operation through stackhost's own client and prints the
 * answer as JSON on stdout, or {"error": {...}} and exit status 3. For the
 * end-to-end tests, which compare what it reads with the AWS CLI.
 *
 * usage: aws_probe [--all ITEMS_PATH] [--read-only] [--declared] SERVICE OPERATION [PATH=STRING | PATH:=NUMBER|true|false]...
 * The region is AWS_REGION / AWS_DEFAULT_REGION / us-east-1. --declared
 * declares route53 (rest-xml) and dynamodb (json 1.0) first, as a plugin
 * declares services the host does not know (service.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "aws/service.h"
#include "aws/settings.h"
#include "log.h"

/* From botocore's models: route53 2013-04-01, dynamodb 2012-08-10. */
static const sh_rest_op route53_ops[] = {
    {"ListHostedZonesByName", "GET", "/2013-04-01/hostedzonesbyname?dnsname={DNSName}&hostedzoneid={HostedZoneId}"
                                     "&maxitems={MaxItems}", NULL},
    {"GetHostedZone", "GET", "/2013-04-01/hostedzone/{Id}", NULL},
    {"ChangeResourceRecordSets", "POST", "/2013-04-01/hostedzone/{Id}/rrset/", "ChangeResourceRecordSetsRequest"},
    {"ListResourceRecordSets", "GET", "/2013-04-01/hostedzone/{Id}/rrset?name={StartRecordName}"
                                      "&type={StartRecordType}&identifier={StartRecordIdentifier}&maxitems={MaxItems}",
     NULL},
    {"GetChange", "GET", "/2013-04-01/change/{Id}", NULL},
    {NULL, NULL, NULL, NULL}};
static const sh_service_decl declared[] = {
    {"route53", "ROUTE_53", "route53", "route53", SH_PROTOCOL_REST_XML, "https://route53.amazonaws.com/doc/2013-04-01/",
     NULL, 1, NULL, NULL, route53_ops},
    {"dynamodb", "DYNAMODB", "dynamodb", "dynamodb", SH_PROTOCOL_JSON_1_0, NULL, "DynamoDB_20120810.", 0,
     "ExclusiveStartTableName", "LastEvaluatedTableName", NULL},
};

int main(int argc, char **argv)
{
    const char *items = NULL;
    unsigned flags = 0;
    int i = 1;
    for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
        if (!strcmp(argv[i], "--all") && i + 1 < argc)
            items = argv[++i];
        else if (!strcmp(argv[i], "--read-only"))
            flags |= AWS_CALL_READ_ONLY;
        else if (!strcmp(argv[i], "--declared"))
            for (size_t k = 0; k < sizeof(declared) / sizeof(declared[0]); k++) {
                struct strbuf why = STRBUF_INIT;
                if (aws_service_declare(&declared[k], "aws_probe", &why)) {
                    fprintf(stderr, "aws_probe: %s\n", why.buf);
                    return 2;
                }
                strbuf_release(&why);
            }
        else if (!strcmp(argv[i], "-v"))
            log_set_level(SH_LOG_TRACE);
    }
    if (argc - i < 2) {
        fprintf(stderr, "usage: aws_probe [--all ITEMS] [--read-only] [-v] SERVICE OPERATION [PATH=VALUE]...\n");
        return 2;
    }
    const char *service = argv[i], *op = argv[i + 1];
    struct sh_doc *input = doc_new(DOC_OBJECT);
    for (i += 2; i < argc; i++) {
        char *arg = strdup(argv[i]);
        char *eq = strchr(arg, '=');
        int rc = -1;
        if (eq && eq > arg && eq[-1] == ':') {
            eq[-1] = '\0';
            const char *v = eq + 1;
            rc = doc_set(input, arg, !strcmp(v, "true") || !strcmp(v, "false") ? DOC_BOOL : DOC_NUMBER, v);
        } else if (eq) {
            *eq = '\0';
            rc = doc_set(input, arg, DOC_STRING, eq + 1);
        }
        if (rc) {
            fprintf(stderr, "aws_probe: bad parameter '%s'\n", argv[i]);
            return 2;
        }
        free(arg);
    }
    const char *region = getenv("AWS_REGION") ? getenv("AWS_REGION") : getenv("AWS_DEFAULT_REGION");
    struct aws_client c;
    aws_client_init(&c, region && *region ? region : "us-east-1", 0);
    struct strbuf why = STRBUF_INIT;
    if (aws_settings_apply(&c, &why)) {
        fprintf(stderr, "aws_probe: %s\n", why.buf);
        return 2;
    }
    strbuf_release(&why);
    struct sh_doc *out = NULL;
    struct aws_error err;
    int rc = items ? aws_call_all(&c, service, op, input, items, flags, &out, &err)
                   : aws_call(&c, service, op, input, flags, &out, &err);
    struct strbuf sb = STRBUF_INIT;
    if (rc) {
        struct sh_doc *e = doc_new(DOC_OBJECT);
        doc_set(e, "error.code", DOC_STRING, err.code);
        doc_set(e, "error.message", DOC_STRING, err.message);
        char num[32];
        snprintf(num, sizeof(num), "%ld", err.http_status);
        doc_set(e, "error.http_status", DOC_NUMBER, num);
        snprintf(num, sizeof(num), "%d", err.attempts);
        doc_set(e, "error.attempts", DOC_NUMBER, num);
        doc_set(e, "error.request_id", DOC_STRING, err.request_id);
        doc_to_json(e, &sb);
        doc_free(e);
    } else {
        doc_to_json(out, &sb);
    }
    emit_stdout(&sb);
    putchar('\n');
    strbuf_release(&sb);
    doc_free(out);
    doc_free(input);
    aws_client_free(&c);
    redact_clear();
    return rc ? 3 : 0;
}
