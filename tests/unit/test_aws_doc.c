/* Documents: paths, XML and JSON answers read alike, flattening. */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include "aws/doc.h"

static void test_set_and_get(void **state)
{
    (void)state;
    struct sh_doc *d = doc_new(DOC_OBJECT);
    assert_int_equal(doc_set(d, "tags[0].key", DOC_STRING, "Project"), 0);
    assert_int_equal(doc_set(d, "tags[0].value", DOC_STRING, "catalog"), 0);
    assert_int_equal(doc_set(d, "tags[1].key", DOC_STRING, "Environment"), 0);
    assert_int_equal(doc_set(d, "tags[3].key", DOC_STRING, "x"), -1); /* no gaps */
    assert_int_equal(doc_set(d, "tags[0].key.deeper", DOC_STRING, "x"), -1); /* crosses a scalar */
    assert_int_equal(doc_set(d, "a..b", DOC_STRING, "x"), -1);
    assert_int_equal(doc_set(d, "count", DOC_NUMBER, "3"), 0);
    assert_int_equal(doc_set(d, "on", DOC_BOOL, "true"), 0);
    assert_int_equal(doc_set_empty(d, "none", DOC_ARRAY), 0);
    assert_int_equal(doc_count(d, "tags"), 2);
    assert_string_equal(doc_text(d, "tags[1].key"), "Environment");
    assert_null(doc_text(d, "tags[2].key"));
    struct strbuf js = STRBUF_INIT;
    doc_to_json(d, &js);
    assert_string_equal(js.buf, "{\"tags\":[{\"key\":\"Project\",\"value\":\"catalog\"},{\"key\":\"Environment\"}],"
                                "\"count\":3,\"on\":true,\"none\":[]}");
    struct sh_doc *back = doc_from_json(js.buf, js.len);
    assert_string_equal(doc_text(back, "tags[0].value"), "catalog");
    assert_string_equal(doc_text(back, "count"), "3");
    doc_free(back);
    strbuf_release(&js);
    doc_free(d);
}

static void test_xml_lists_read_alike(void **state)
{
    (void)state;
    const char *one = "<DescribeSubnetsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r</requestId>"
                      "<subnetSet><item><subnetId>subnet-1</subnetId><tagSet><item><key>Name</key><value>a</value></item>"
                      "</tagSet></item></subnetSet></DescribeSubnetsResponse>";
    char *root = NULL;
    struct sh_doc *d = doc_from_xml(one, strlen(one), &root);
    assert_string_equal(root, "DescribeSubnetsResponse");
    free(root);
    assert_int_equal(doc_count(d, "subnetSet.item"), 1);
    assert_string_equal(doc_text(d, "subnetSet.item[0].subnetId"), "subnet-1");
    assert_string_equal(doc_text(d, "subnetSet.item[0].tagSet.item[0].value"), "a");
    assert_null(doc_get(d, "subnetSet.item[1]"));
    doc_free(d);
    const char *two = "<R><subnetSet><item><subnetId>s1</subnetId></item><item><subnetId>s2</subnetId></item></subnetSet>"
                      "<empty/></R>";
    d = doc_from_xml(two, strlen(two), NULL);
    assert_int_equal(doc_count(d, "subnetSet.item"), 2);
    assert_string_equal(doc_text(d, "subnetSet.item[1].subnetId"), "s2");
    assert_string_equal(doc_text(d, "empty"), "");
    assert_int_equal(doc_count(d, "empty.item"), 0);
    doc_free(d);
    assert_null(doc_from_xml("not xml", 7, NULL));
    assert_null(doc_from_json("{not json", 9));
}

static void test_flatten(void **state)
{
    (void)state;
    struct sh_doc *d = doc_new(DOC_OBJECT);
    doc_set(d, "IpPermissions[0].IpProtocol", DOC_STRING, "tcp");
    doc_set(d, "IpPermissions[0].FromPort", DOC_NUMBER, "8080");
    doc_set(d, "IpPermissions[0].Groups[0].GroupId", DOC_STRING, "sg-1");
    doc_set(d, "Attributes.entry.1.key", DOC_STRING, "KmsMasterKeyId");
    doc_set_empty(d, "Empty", DOC_ARRAY);
    struct strbuf ec2 = STRBUF_INIT, query = STRBUF_INIT;
    doc_flatten(d, DOC_FLAT_EC2, &ec2);
    doc_flatten(d, DOC_FLAT_QUERY, &query);
    assert_string_equal(ec2.buf, "&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=8080"
                                 "&IpPermissions.1.Groups.1.GroupId=sg-1&Attributes.entry.1.key=KmsMasterKeyId");
    assert_string_equal(query.buf, "&IpPermissions.member.1.IpProtocol=tcp&IpPermissions.member.1.FromPort=8080"
                                   "&IpPermissions.member.1.Groups.member.1.GroupId=sg-1"
                                   "&Attributes.entry.1.key=KmsMasterKeyId&Empty=");
    strbuf_release(&ec2);
    strbuf_release(&query);
    doc_free(d);
}

static void test_append_items(void **state)
{
    (void)state;
    const char *x = "<R><vpcSet><item><vpcId>a</vpcId></item></vpcSet></R>";
    struct sh_doc *d = doc_from_xml(x, strlen(x), NULL);
    const char *page = "[{\"vpcId\":\"b\"},{\"vpcId\":\"c\"}]";
    struct sh_doc *more = doc_from_json(page, strlen(page));
    assert_int_equal(doc_append_items(d, "vpcSet.item", more), 0);
    assert_int_equal(doc_count(d, "vpcSet.item"), 3);
    assert_string_equal(doc_text(d, "vpcSet.item[0].vpcId"), "a");
    assert_string_equal(doc_text(d, "vpcSet.item[2].vpcId"), "c");
    doc_free(more);
    doc_free(d);
}

static int equal_json(const char *a, const char *b, int subset)
{
    struct sh_doc *x = doc_from_json(a, strlen(a)), *y = doc_from_json(b, strlen(b));
    assert_non_null(x);
    assert_non_null(y);
    int same = doc_equal(x, y, subset);
    doc_free(x);
    doc_free(y);
    return same;
}

static void test_equal(void **state)
{
    (void)state;
    /* member order and spacing aside; list order counts */
    assert_true(equal_json("{\"a\":1,\"b\":[\"x\",\"y\"]}", "{ \"b\": [\"x\", \"y\"], \"a\": 1 }", 0));
    assert_false(equal_json("{\"b\":[\"x\",\"y\"]}", "{\"b\":[\"y\",\"x\"]}", 0));
    /* a member more on either side is a difference... */
    assert_false(equal_json("{\"a\":1}", "{\"a\":1,\"c\":2}", 0));
    assert_false(equal_json("{\"a\":1,\"c\":2}", "{\"a\":1}", 1));
    /* ...except what AWS filled in, at any depth, when comparing a subset */
    assert_true(equal_json("{\"c\":[{\"name\":\"api\"}]}",
                           "{\"c\":[{\"name\":\"api\",\"cpu\":0}],\"revision\":3}", 1));
    assert_false(equal_json("{\"c\":[{\"name\":\"api\"}]}", "{\"c\":[{\"name\":\"web\"}]}", 1));
    /* a list item more or less is a difference even in a subset */
    assert_false(equal_json("{\"c\":[1]}", "{\"c\":[1,2]}", 1));
    /* scalars by their text: XML answers are untyped */
    assert_true(equal_json("{\"port\":8080,\"on\":true}", "{\"port\":\"8080\",\"on\":\"true\"}", 0));
    assert_false(equal_json("{\"port\":8080}", "{\"port\":8081}", 0));
    /* one node equals a list of that one node (an XML list of one) */
    assert_true(equal_json("{\"Action\":[\"s3:Get\"]}", "{\"Action\":\"s3:Get\"}", 0));
    assert_false(equal_json("{\"Action\":[\"s3:Get\",\"s3:Put\"]}", "{\"Action\":\"s3:Get\"}", 0));
    assert_false(equal_json("{\"a\":{}}", "{\"a\":[]}", 0));
    assert_true(doc_equal(NULL, NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_and_get),
        cmocka_unit_test(test_xml_lists_read_alike),
        cmocka_unit_test(test_flatten),
        cmocka_unit_test(test_append_items),
        cmocka_unit_test(test_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
