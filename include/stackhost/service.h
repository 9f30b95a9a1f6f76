/*
 * stackhost SDK: AWS services a plugin declares (ABI 1.5), so that a
 * plugin can call any service, not only those the host knows (ec2, elbv2,
 * ecr, ecs, iam, ssm, logs, cloudwatch, application-autoscaling, sns, kms,
 * sts, tagging, service-quotas). The host signs, sends, retries, pages and
 * parses the calls to a declared service as for its own; the plugin names
 * the service in host->aws_call as `name`.
 *
 * Wire protocols (the `protocol` of botocore's service models):
 *   query, ec2        Action=Op&Version=api_version, a form body; XML answers
 *   json 1.0, 1.1     X-Amz-Target: target_prefix + Op, a JSON body
 *   rest-xml          an HTTP binding per operation (sh_rest_op); the body
 *                     is the XML of the input members the URI does not use,
 *                     under <body_root xmlns="api_version">; XML answers
 *   rest-json         the same binding; a JSON body; JSON answers
 *
 * For rest-xml the input document mirrors the XML: an object's members
 * are child elements, and a list is an array under its items' element
 * name ("Changes": {"Change": [{...}, {...}]}). Answers read the same
 * way, paths from inside the root element ("HostedZones.HostedZone[0].Id").
 */
#ifndef STACKHOST_SERVICE_H
#define STACKHOST_SERVICE_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sh_protocol {
    SH_PROTOCOL_QUERY = 1,
    SH_PROTOCOL_EC2 = 2,
    SH_PROTOCOL_JSON_1_0 = 3,
    SH_PROTOCOL_JSON_1_1 = 4,
    SH_PROTOCOL_REST_XML = 5,
    SH_PROTOCOL_REST_JSON = 6
} sh_protocol;

/* One operation of a rest protocol: its HTTP binding, as in the service's
 * model ("http": {"method", "requestUri"}). */
typedef struct sh_rest_op {
    const char *name;   /* "ChangeResourceRecordSets"; NULL ends the table */
    const char *method; /* "GET", "POST", "PUT", "DELETE" */
    /* The path and query, members of the input in braces:
     * "/2013-04-01/hostedzone/{Id}/rrset?name={StartRecordName}&type={StartRecordType}".
     * A path member is URI-encoded ({Key+}: its '/' kept); a query
     * parameter whose member is absent is left out. */
    const char *uri;
    /* rest-xml: the body's root element ("ChangeResourceRecordSetsRequest"),
     * holding the input members the uri does not use; NULL: no body.
     * rest-json: non-NULL sends those members as a JSON object. */
    const char *body_root;
} sh_rest_op;

typedef struct sh_service_decl {
    const char *name;            /* what aws_call takes: [a-z0-9-]+, not a built-in service's */
    const char *env_id;          /* AWS_ENDPOINT_URL_<env_id> overrides its endpoint: [A-Z0-9_]+ */
    const char *signing_name;    /* the SigV4 service name ("route53") */
    const char *endpoint_prefix; /* the host: <prefix>.<region>.amazonaws.com, or <prefix>.amazonaws.com when global */
    sh_protocol protocol;
    /* query, ec2: the Version; rest-xml: the XML namespace of request bodies;
     * json, rest-json: NULL. */
    const char *api_version;
    const char *target_prefix;   /* json: "AmazonSSM." (then the operation); else NULL */
    int global;                  /* one endpoint for the partition, signed in us-east-1 (IAM, Route 53) */
    /* Pagination, as host->aws_call_all follows it: the request member
     * carrying the token and the answer's path to the next one; NULL: none. */
    const char *token_in;
    const char *token_out;
    const sh_rest_op *ops;       /* rest protocols: every operation called; else NULL */
} sh_service_decl;

#ifdef __cplusplus
}
#endif

#endif
