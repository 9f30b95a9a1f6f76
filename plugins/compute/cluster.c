/* compute: the ECS cluster with Container Insights: created when missing
 * (or INACTIVE), its setting and tags put back when they drifted. */
#include <string.h>

#include "compute.h"

static const char *insights(struct cmp *c)
{
    for (size_t i = 0; i < c->f.h->doc_count(c->cluster, "settings"); i++) {
        const char *name = shc_str(c->f.h, c->cluster, "settings[%zu].name", i);
        if (name && !strcmp(name, "containerInsights"))
            return shc_str(c->f.h, c->cluster, "settings[%zu].value", i);
    }
    return NULL;
}

#define INSIGHTS "'settings': [{'name': 'containerInsights', 'value': 'enabled'}]"

void cmp_cluster_wave(struct cmp *c)
{
    shc_line *line = &c->cluster_l;
    if (!c->cluster) {
        /* AWS answers an existing name with that cluster; moto replaces it:
         * the lookups made sure there is none (an INACTIVE one is a new cluster) */
        sh_doc *in = shc_json(&c->f, "{'clusterName': '%s', " INSIGHTS "}", c->cluster_name);
        shc_put_tags(c->f.h, c->f.ctx, in, &shc_tags_ecs, NULL);
        shc_change(&c->f.q, line, SH_CHANGE_CREATE, NULL, "ecs", "CreateCluster", in, NULL, NULL, NULL);
        shc_keep(&c->f.q, "cluster.clusterArn", c->cluster_arn, sizeof(c->cluster_arn));
        return;
    }
    /* UpdateCluster rather than UpdateClusterSettings: the same on AWS,
     * and the only one moto has */
    shc_update_if(&c->f, line, "container insights", insights(c), "enabled", "ecs", "UpdateCluster",
                  shc_json(&c->f, "{'cluster': '%s', " INSIGHTS "}", c->cluster_name));
    cmp_ecs_tags_drift(c, line, c->cluster, c->cluster_arn);
}
