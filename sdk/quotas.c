/* The account's quotas, read before a deploy makes what would pass one. */
#include <stdlib.h>

#include <stackhost/converge.h>

void shc_quota_read(shc_queue *q, const char *service_code, const char *quota_code, const char *label,
                    const sh_doc **out)
{
    sh_doc *in = shc_docf(q->h, q->ctx, "{'ServiceCode': '%s', 'QuotaCode': '%s'}", service_code, quota_code);
    shc_read(q, "service-quotas", "GetServiceQuota", in, label, "*", out);
}

double shc_quota_value(const sh_host *h, const sh_doc *answer, const char *path, double fallback)
{
    const char *v = answer ? h->doc_string(answer, path) : NULL;
    return v && atof(v) > 0 ? atof(v) : fallback;
}
