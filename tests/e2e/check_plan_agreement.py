#!/usr/bin/env python3
"""Plan = deploy: does what deploy sent match what plan said it would do?

Reads plan's text (its lines "  MARK VERB RESOURCE (detail)") and the
counting proxy's log of the deploy that followed ("service operation" per
request), and checks, resource kind by kind:
  * every request of the deploy that changes something belongs to a kind
    the plan showed changing (nothing done that the plan did not show);
  * every line the plan showed changing has a request of its kind: a
    create, a deletion, an update; a replacement both a deletion and a
    creation (nothing shown that deploy did not do, in the plan's words);
  * a deploy that deletes and creates one kind (DeleteListener and
    CreateListener) was shown as a replacement, or as a deletion and a
    creation, not as an update.
Requests of the environment's lease (marked "lease") are not the stack's.
Prints each disagreement; exit 1 when there is one, 0 when none.

usage: check_plan_agreement.py PLAN_TEXT_FILE PROXY_LOG_FILE
"""
import re
import sys

# kind (as plan words it) -> (service, operations that change it)
KINDS = {
    "vpc": ("ec2", "CreateVpc DeleteVpc ModifyVpcAttribute"),
    "subnet": ("ec2", "CreateSubnet DeleteSubnet ModifySubnetAttribute"),
    "elastic ip": ("ec2", "AllocateAddress ReleaseAddress"),
    "internet gateway": ("ec2", "CreateInternetGateway DeleteInternetGateway AttachInternetGateway "
                                "DetachInternetGateway"),
    "nat gateway": ("ec2", "CreateNatGateway DeleteNatGateway"),
    "route table": ("ec2", "CreateRouteTable DeleteRouteTable CreateRoute ReplaceRoute DeleteRoute "
                           "AssociateRouteTable DisassociateRouteTable ReplaceRouteTableAssociation"),
    "security group": ("ec2", "CreateSecurityGroup DeleteSecurityGroup AuthorizeSecurityGroupIngress "
                              "AuthorizeSecurityGroupEgress RevokeSecurityGroupIngress RevokeSecurityGroupEgress"),
    "rules of security group": ("ec2", "AuthorizeSecurityGroupIngress AuthorizeSecurityGroupEgress "
                                       "RevokeSecurityGroupIngress RevokeSecurityGroupEgress"),
    "default security group": ("ec2", "RevokeSecurityGroupIngress RevokeSecurityGroupEgress"),
    "ecr repository": ("ecr", "CreateRepository DeleteRepository PutImageScanningConfiguration "
                              "PutImageTagMutability TagResource UntagResource"),
    "lifecycle policy": ("ecr", "PutLifecyclePolicy DeleteLifecyclePolicy"),
    "iam policy": ("iam", "CreatePolicy DeletePolicy CreatePolicyVersion DeletePolicyVersion "
                          "SetDefaultPolicyVersion TagPolicy UntagPolicy"),
    "iam role": ("iam", "CreateRole DeleteRole PutRolePolicy DeleteRolePolicy UpdateAssumeRolePolicy "
                        "AttachRolePolicy DetachRolePolicy TagRole UntagRole"),
    "parameter": ("ssm", "PutParameter DeleteParameter DeleteParameters AddTagsToResource "
                         "RemoveTagsFromResource"),
    "load balancer": ("elasticloadbalancing", "CreateLoadBalancer DeleteLoadBalancer "
                                              "ModifyLoadBalancerAttributes SetSecurityGroups SetSubnets "
                                              "SetIpAddressType AddTags RemoveTags"),
    "target group": ("elasticloadbalancing", "CreateTargetGroup DeleteTargetGroup ModifyTargetGroup "
                                             "ModifyTargetGroupAttributes AddTags RemoveTags"),
    "listener": ("elasticloadbalancing", "CreateListener DeleteListener ModifyListener AddTags RemoveTags"),
    "ecs cluster": ("ecs", "CreateCluster UpdateCluster DeleteCluster PutClusterCapacityProviders "
                           "TagResource UntagResource"),
    "ecs service": ("ecs", "CreateService UpdateService DeleteService TagResource UntagResource"),
    "task definition": ("ecs", "RegisterTaskDefinition DeregisterTaskDefinition DeleteTaskDefinitions"),
    "log group": ("logs", "CreateLogGroup DeleteLogGroup PutRetentionPolicy DeleteRetentionPolicy "
                          "TagResource UntagResource TagLogGroup"),
    "scalable target": ("application-autoscaling", "RegisterScalableTarget DeregisterScalableTarget "
                                                   "TagResource UntagResource"),
    "scaling policy": ("application-autoscaling", "PutScalingPolicy DeleteScalingPolicy"),
    "cloudwatch alarm": ("monitoring", "PutMetricAlarm DeleteAlarms TagResource UntagResource"),
    "sns topic": ("sns", "CreateTopic DeleteTopic SetTopicAttributes TagResource UntagResource"),
    "email subscription": ("sns", "Subscribe Unsubscribe"),
    "kms key": ("kms", "CreateKey EnableKey EnableKeyRotation PutKeyPolicy CreateAlias UpdateAlias DeleteAlias "
                       "ScheduleKeyDeletion CancelKeyDeletion TagResource UntagResource"),
}
# ec2's tags go on any of its kinds
EC2_TAGS = {"CreateTags", "DeleteTags"}
CREATES = re.compile(r"^(Create|Allocate|Register|Put|Subscribe|Authorize|Associate|Attach)")
DELETES = re.compile(r"^(Delete|Release|Deregister|Unsubscribe|Schedule|Revoke|Disassociate|Detach)")
LINE = re.compile(r"^  (=|\+|~|-/\+|-) +(\S+) +(.*?)(?: \((.*)\))?$")


def kind_of(resource):
    best = None
    for kind in KINDS:
        if resource.startswith(kind + " ") and (best is None or len(kind) > len(best)):
            best = kind
    return best


def kinds_of(service, operation):
    if service == "ec2" and operation in EC2_TAGS:
        return {k for k, (s, _) in KINDS.items() if s == "ec2"}
    return {k for k, (s, ops) in KINDS.items() if s == service and operation in ops.split()}


def main():
    plan_file, log_file = sys.argv[1], sys.argv[2]
    shown = []  # (mark, kind, resource)
    problems = []
    for line in open(plan_file):
        m = LINE.match(line.rstrip("\n"))
        if not m or m.group(1) == "=":
            continue
        kind = kind_of(m.group(3))
        if kind is None:
            problems.append(f"plan line of a kind this check does not know: {line.strip()}")
            continue
        shown.append((m.group(1), kind, m.group(3)))
    sent = []  # (service, operation, kinds)
    for line in open(log_file):
        parts = line.split()
        if len(parts) != 2 or re.match(r"^(Describe|List|Get)[A-Z]", parts[1]):
            continue  # a read, or the lease ("service operation lease")
        sent.append((parts[0], parts[1], kinds_of(parts[0], parts[1])))
    changing = {kind for _, kind, _ in shown}
    for service, op, kinds in sent:
        if not kinds:
            problems.append(f"deploy sent {service} {op}, which this check cannot place: add it to KINDS")
        elif not kinds & changing:
            problems.append(f"deploy sent {service} {op} ({' or '.join(sorted(kinds))}), which the plan did not "
                            f"show changing")
    for mark, kind, resource in shown:
        ops = [op for _, op, kinds in sent if kind in kinds]
        need = {"+": [CREATES], "-": [DELETES], "-/+": [DELETES, CREATES], "~": [re.compile(".")]}[mark]
        for pattern in need:
            if not any(pattern.match(op) for op in ops):
                problems.append(f"plan showed '{mark} {resource}', but deploy sent no "
                                f"{'change' if mark == '~' else 'creation' if pattern is CREATES else 'deletion'} "
                                f"of a {kind} (it sent: {', '.join(ops) or 'nothing of that kind'})")
    for kind in sorted(changing):
        ops = {op for _, op, kinds in sent if kind in kinds}
        nouns = {op[len("Delete"):] for op in ops if op.startswith("Delete")}
        remade = sorted(n for n in nouns if "Create" + n in ops)
        marks = {mark for mark, k, _ in shown if k == kind}
        if remade and "-/+" not in marks and not {"-", "+"} <= marks:
            problems.append(f"deploy deleted and created a {kind} (Delete{remade[0]}, Create{remade[0]}), but the "
                            f"plan showed it as {' and '.join(sorted(marks))}, not as a replacement")
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


main()
