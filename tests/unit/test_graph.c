#include "helpers.h"

#include <string.h>

#include "graph.h"

static const char *names[] = {"network", "registry", "secrets", "lb", "compute", "scaling", "observability"};

static void test_catalog_order(void **state)
{
    (void)state;
    struct graph g;
    graph_init(&g, 7, names);
    graph_require(&g, 3, 0);
    for (size_t r = 0; r < 4; r++)
        graph_require(&g, 4, r);
    graph_require(&g, 5, 4);
    graph_require(&g, 6, 4);
    graph_require(&g, 6, 3);
    graph_require(&g, 6, 3); /* twice is once */
    assert_int_equal(g.ndeps[6], 2);
    size_t order[7];
    struct strbuf cycle = STRBUF_INIT;
    assert_int_equal(graph_order(&g, order, &cycle), 0);
    size_t want[] = {0, 1, 2, 3, 4, 5, 6};
    assert_memory_equal(order, want, sizeof(want));
    struct strbuf dot = STRBUF_INIT;
    int dim[7] = {0, 0, 0, 0, 0, 1, 0};
    graph_dot(&g, "catalog", dim, &dot);
    assert_non_null(strstr(dot.buf, "\"observability\" -> \"lb\";"));
    assert_non_null(strstr(dot.buf, "\"scaling\" [style=dashed];"));
    strbuf_release(&dot);
    graph_free(&g);
}

static void test_order_is_stable_and_requirements_first(void **state)
{
    (void)state;
    const char *n[] = {"d", "c", "b", "a"};
    struct graph g;
    graph_init(&g, 4, n);
    graph_require(&g, 0, 1); /* d requires c */
    graph_require(&g, 1, 3); /* c requires a */
    size_t order[4];
    struct strbuf cycle = STRBUF_INIT;
    assert_int_equal(graph_order(&g, order, &cycle), 0);
    size_t want[] = {2, 3, 1, 0}; /* b (free, first ready), a, c, d */
    assert_memory_equal(order, want, sizeof(want));
    graph_free(&g);
}

static void test_cycle_is_named(void **state)
{
    (void)state;
    const char *n[] = {"free", "a", "b", "c", "after"};
    struct graph g;
    graph_init(&g, 5, n);
    graph_require(&g, 1, 2);
    graph_require(&g, 2, 3);
    graph_require(&g, 3, 1);
    graph_require(&g, 4, 3);
    size_t order[5];
    struct strbuf cycle = STRBUF_INIT;
    assert_int_equal(graph_order(&g, order, &cycle), -1);
    assert_string_equal(cycle.buf, "a -> b -> c -> a");
    strbuf_release(&cycle);
    graph_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalog_order),
        cmocka_unit_test(test_order_is_stable_and_requirements_first),
        cmocka_unit_test(test_cycle_is_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
