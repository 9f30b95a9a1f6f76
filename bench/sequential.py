#!/usr/bin/env python3
"""The sequential baseline of bench/run: a plain boto3 deployer of the
catalog stack of examples/catalog.cfg, environment prod (catalog-stack.md:
the same resources, names, settings and tags as stackhost makes).

usage: sequential.py deploy|destroy      (AWS_ENDPOINT_URL, AWS_REGION and,
                                          for deploy, CATALOG_DB_URL set)

What a careful hand-written script does: one request at a time, plugin
after plugin in dependency order (network, registry, secrets, lb, compute,
scaling, observability; destroy in reverse), no redundant read, and waits
where AWS needs them by polling every second: the three NAT gateways are
all created before one wait for all of them (they provision side by side),
the load balancer is waited for once its target group and listener are
made, and destroy waits for the NAT gateways to be deleted before it
releases their addresses, for the service to drain and go inactive, for
the load balancer to be gone, and for the security groups' network
interfaces to be released. No concurrency, and nothing starts before the
step before it has finished. Deploy assumes an empty account (no
find-before-create); destroy finds what it deletes by name and tag (no
state file, as stackhost has none).

Prints {"work_seconds": S} as its last line: the time from its first
request to its last answer, without the interpreter's and boto3's
start-up (bench/measure.py --work-time).
"""
import json
import os
import secrets
import sys
import time
import types

import boto3
import botocore.exceptions

S, E = "catalog", "prod"
REGION = os.environ.get("AWS_REGION", "us-east-1")
TAGS = {"Project": S, "Environment": E, "ManagedBy": "stackhost", "CostCenter": "retail-catalog"}
NOTIFY = "catalog-oncall@example.com"
CLUSTER, SERVICE = f"cluster-{S}-{E}", f"svc-{S}-{E}"
SCALABLE = {"ServiceNamespace": "ecs", "ResourceId": f"service/{CLUSTER}/{SERVICE}",
            "ScalableDimension": "ecs:service:DesiredCount"}


def name(kind, purpose=None):
    """{type}-{S}-{purpose}-{E}, catalog-stack.md's naming."""
    return f"{kind}-{S}-{purpose}-{E}" if purpose else f"{kind}-{S}-{E}"


def pairs(tags, key="Key", value="Value"):
    return [{key: k, value: v} for k, v in tags.items()]


def ec2_tags(kind, resource_name):
    return [{"ResourceType": kind, "Tags": pairs(dict(TAGS, Name=resource_name))}]


def owned(resource_name=None):
    """EC2 filters for the stack's resources (and one Name)."""
    found = [{"Name": "tag:Project", "Values": [S]}, {"Name": "tag:Environment", "Values": [E]}]
    return found + ([{"Name": "tag:Name", "Values": [resource_name]}] if resource_name else [])


def in_vpc(vpc):
    return [{"Name": "vpc-id", "Values": [vpc]}]


def tcp(port, cidr=None, group=None):
    rule = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
    return dict(rule, IpRanges=[{"CidrIp": cidr}]) if cidr else dict(rule, UserIdGroupPairs=[{"GroupId": group}])


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def wait(what, ready, timeout=900):
    """Polls ready() every second until it holds."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what} after {timeout} s")
        time.sleep(1)


def states(items, key, what, bad):
    """The states of items; a state in bad is an error (waiting would never end)."""
    found = [i[key] if isinstance(key, str) else key(i) for i in items]
    if set(found) & set(bad):
        raise RuntimeError(f"{what}: {found}")
    return found


# --- deploy, one function per plugin; `out` carries what later ones need


def network(aws, out):
    ec2 = aws.ec2
    zones = ec2.describe_availability_zones(Filters=[{"Name": "state", "Values": ["available"]},
                                                     {"Name": "zone-type", "Values": ["availability-zone"]}])
    zones = [z["ZoneName"] for z in sorted(zones["AvailabilityZones"], key=lambda z: z["ZoneId"])[:3]]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=ec2_tags("vpc", name("vpc")))["Vpc"]["VpcId"]
    for attribute in ("EnableDnsSupport", "EnableDnsHostnames"):  # AWS takes one per call, support first
        ec2.modify_vpc_attribute(VpcId=vpc, **{attribute: {"Value": True}})
    default = ec2.describe_security_groups(Filters=in_vpc(vpc) + [{"Name": "group-name", "Values": ["default"]}])
    default = default["SecurityGroups"][0]["GroupId"]
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [default]}])["SecurityGroupRules"]
    for egress, revoke in ((False, ec2.revoke_security_group_ingress), (True, ec2.revoke_security_group_egress)):
        ids = [r["SecurityGroupRuleId"] for r in rules if r["IsEgress"] == egress]
        if ids:
            revoke(GroupId=default, SecurityGroupRuleIds=ids)
    public, private = [], []
    for i, (letter, zone) in enumerate(zip("abc", zones)):
        for kind, cidr, subnets in (("public", f"10.0.{i}.0/24", public), ("private", f"10.0.{10 + i}.0/24", private)):
            tags = ec2_tags("subnet", name("subnet", f"{kind}-{letter}"))
            subnets.append(ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone,
                                             TagSpecifications=tags)["Subnet"]["SubnetId"])
    igw = ec2.create_internet_gateway(TagSpecifications=ec2_tags("internet-gateway", name("igw")))
    igw = igw["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    groups = {}
    for purpose in ("alb", "tasks"):  # the group name may not start with sg-; the Name tag does
        groups[purpose] = ec2.create_security_group(
            GroupName=f"{S}-{purpose}-{E}", Description=f"stackhost {purpose} {E} of {S}", VpcId=vpc,
            TagSpecifications=ec2_tags("security-group", name("sg", purpose)))["GroupId"]
        ec2.revoke_security_group_egress(GroupId=groups[purpose],
                                         IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    alb_sg, tasks_sg = groups["alb"], groups["tasks"]
    ec2.authorize_security_group_ingress(GroupId=alb_sg, IpPermissions=[tcp(80, cidr="0.0.0.0/0")])
    ec2.authorize_security_group_egress(GroupId=alb_sg, IpPermissions=[tcp(8080, group=tasks_sg)])
    ec2.authorize_security_group_ingress(GroupId=tasks_sg, IpPermissions=[tcp(8080, group=alb_sg)])
    ec2.authorize_security_group_egress(GroupId=tasks_sg, IpPermissions=[tcp(443, cidr="0.0.0.0/0"),
                                                                         tcp(5432, cidr="10.0.0.0/16")])
    nats = []
    for letter, subnet in zip("abc", public):
        eip = ec2.allocate_address(Domain="vpc", TagSpecifications=ec2_tags("elastic-ip", name("eip", f"nat-{letter}")))
        nats.append(ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip["AllocationId"], ConnectivityType="public",
                                           TagSpecifications=ec2_tags("natgateway", name("nat", letter)))
                    ["NatGateway"]["NatGatewayId"])
    route_table(ec2, vpc, "public", {"GatewayId": igw}, public)
    wait("nat gateways available", lambda: set(states(
        ec2.describe_nat_gateways(NatGatewayIds=nats)["NatGateways"], "State", "nat gateway failed",
        ("failed", "deleting", "deleted"))) == {"available"})
    for letter, nat, subnet in zip("abc", nats, private):
        route_table(ec2, vpc, f"private-{letter}", {"NatGatewayId": nat}, [subnet])
    out.update(vpc=vpc, public=public, private=private, alb_sg=alb_sg, tasks_sg=tasks_sg)


def route_table(ec2, vpc, purpose, target, subnets):
    table = ec2.create_route_table(VpcId=vpc, TagSpecifications=ec2_tags("route-table", name("rtb", purpose)))
    table = table["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", **target)
    for subnet in subnets:
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)


def registry(aws, out):
    repo = aws.ecr.create_repository(repositoryName=name("ecr"), imageTagMutability="IMMUTABLE",
                                     imageScanningConfiguration={"scanOnPush": True},
                                     encryptionConfiguration={"encryptionType": "AES256"}, tags=pairs(TAGS))
    repo = repo["repository"]
    rule = {"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5},
            "action": {"type": "expire"}}
    aws.ecr.put_lifecycle_policy(repositoryName=name("ecr"), lifecyclePolicyText=json.dumps({"rules": [rule]}))
    push = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
            "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"]
    aws.iam.create_policy(PolicyName=name("policy", "ecr-push"), Description=f"push and pull images of {name('ecr')}",
                          PolicyDocument=policy({"Sid": "PushPull", "Effect": "Allow", "Action": push,
                                                 "Resource": repo["repositoryArn"]},
                                                {"Sid": "Login", "Effect": "Allow",
                                                 "Action": "ecr:GetAuthorizationToken", "Resource": "*"}),
                          Tags=pairs(TAGS))
    out.update(repo_arn=repo["repositoryArn"], repo_uri=repo["repositoryUri"])


def secrets_(aws, out):
    out["parameters"] = {}
    values = {"db-connection-string": os.environ["CATALOG_DB_URL"], "api-key": secrets.token_urlsafe(36)}  # 48 chars
    for short, value in values.items():
        path = f"/{S}/{E}/{short}"
        aws.ssm.put_parameter(Name=path, Value=value, Type="SecureString", Tags=pairs(TAGS))
        out["parameters"][short.upper().replace("-", "_")] = f"arn:aws:ssm:{REGION}:{out['account']}:parameter{path}"


def lb(aws, out):
    elb = aws.elbv2
    alb = elb.create_load_balancer(Name=name("alb"), Subnets=out["public"], SecurityGroups=[out["alb_sg"]],
                                   Scheme="internet-facing", Type="application", IpAddressType="ipv4",
                                   Tags=pairs(TAGS))["LoadBalancers"][0]["LoadBalancerArn"]
    elb.modify_load_balancer_attributes(LoadBalancerArn=alb, Attributes=[
        {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
        {"Key": "deletion_protection.enabled", "Value": "true"}])
    tg = elb.create_target_group(Name=name("tg"), Protocol="HTTP", Port=8080, VpcId=out["vpc"], TargetType="ip",
                                 HealthCheckProtocol="HTTP", HealthCheckPath="/health", HealthCheckIntervalSeconds=15,
                                 HealthCheckTimeoutSeconds=5, HealthyThresholdCount=2, UnhealthyThresholdCount=3,
                                 Matcher={"HttpCode": "200"}, Tags=pairs(TAGS))["TargetGroups"][0]["TargetGroupArn"]
    elb.modify_target_group_attributes(TargetGroupArn=tg, Attributes=[
        {"Key": "deregistration_delay.timeout_seconds", "Value": "30"}])
    elb.create_listener(LoadBalancerArn=alb, Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}], Tags=pairs(TAGS))
    wait("load balancer active", lambda: states(
        elb.describe_load_balancers(LoadBalancerArns=[alb])["LoadBalancers"], lambda b: b["State"]["Code"],
        "load balancer failed", ("failed",)) == ["active"])
    out.update(alb_arn=alb, tg_arn=tg)


def compute(aws, out):
    ecs, iam, account = aws.ecs, aws.iam, out["account"]
    ecs.create_cluster(clusterName=CLUSTER, settings=[{"name": "containerInsights", "value": "enabled"}],
                       tags=pairs(TAGS, "key", "value"))
    aws.logs.create_log_group(logGroupName=name("logs"), tags=TAGS)
    aws.logs.put_retention_policy(logGroupName=name("logs"), retentionInDays=7)
    trust = policy({"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"})
    exec_role = iam.create_role(RoleName=name("role", "exec"), AssumeRolePolicyDocument=trust, Tags=pairs(TAGS))
    pull = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    iam.put_role_policy(RoleName=name("role", "exec"), PolicyName=name("policy", "exec"), PolicyDocument=policy(
        {"Sid": "PullImage", "Effect": "Allow", "Action": pull, "Resource": out["repo_arn"]},
        {"Sid": "RegistryLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {"Sid": "WriteLogs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": f"arn:aws:logs:{REGION}:{account}:log-group:{name('logs')}:*"},
        {"Sid": "ReadParameters", "Effect": "Allow", "Action": "ssm:GetParameters",
         "Resource": [arn for _, arn in sorted(out["parameters"].items())]}))
    task_role = iam.create_role(RoleName=name("role", "task"), AssumeRolePolicyDocument=trust, Tags=pairs(TAGS))
    container = {
        "name": f"{S}-api", "image": f"{out['repo_uri']}:1.0.0", "essential": True,
        "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": name("logs"), "awslogs-region": REGION, "awslogs-stream-prefix": S}},
        "secrets": [{"name": env, "valueFrom": arn} for env, arn in sorted(out["parameters"].items())],
        "environment": [{"name": "PORT", "value": "8080"}], "readonlyRootFilesystem": True}
    task = ecs.register_task_definition(
        family=name("task"), taskRoleArn=task_role["Role"]["Arn"], executionRoleArn=exec_role["Role"]["Arn"],
        networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="1024", memory="2048",
        runtimePlatform={"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"},
        containerDefinitions=[container], tags=pairs(TAGS, "key", "value"))["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(
        cluster=CLUSTER, serviceName=SERVICE, taskDefinition=task, desiredCount=2, launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": out["private"], "securityGroups": [out["tasks_sg"]],
                                                      "assignPublicIp": "DISABLED"}},
        loadBalancers=[{"targetGroupArn": out["tg_arn"], "containerName": f"{S}-api", "containerPort": 8080}],
        healthCheckGracePeriodSeconds=60, propagateTags="SERVICE", enableECSManagedTags=True,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True},
                                 "minimumHealthyPercent": 100, "maximumPercent": 200},
        tags=pairs(TAGS, "key", "value"))


def scaling(aws, out):
    aws.aas.register_scalable_target(MinCapacity=2, MaxCapacity=10, **SCALABLE)
    aws.aas.put_scaling_policy(
        PolicyName=name("scaling", "cpu"), PolicyType="TargetTrackingScaling", **SCALABLE,
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
            "ScaleOutCooldown": 60, "ScaleInCooldown": 300, "DisableScaleIn": False})


def observability(aws, out):
    kms, account = aws.kms, out["account"]
    alias = f"alias/{name('kms', 'alarms')}"
    key = kms.create_key(
        Description=f"{S} {E}: encrypts the alarm topic {name('sns', 'alarms')}, which cloudwatch alarms publish to "
                    "(stackhost)",
        KeySpec="SYMMETRIC_DEFAULT", KeyUsage="ENCRYPT_DECRYPT",
        Policy=policy({"Sid": "AccountAdministersTheKey", "Effect": "Allow",
                       "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*", "Resource": "*"},
                      {"Sid": "CloudWatchAlarmsPublishToTheTopic", "Effect": "Allow",
                       "Principal": {"Service": "cloudwatch.amazonaws.com"},
                       "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}),
        Tags=pairs(dict(TAGS, Alias=alias), "TagKey", "TagValue"))["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    topic = aws.sns.create_topic(Name=name("sns", "alarms"), Attributes={"KmsMasterKeyId": key["Arn"]},
                                 Tags=pairs(TAGS))["TopicArn"]
    aws.sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=NOTIFY, ReturnSubscriptionArn=True)
    common = {"ActionsEnabled": True, "AlarmActions": [topic], "OKActions": [topic], "Period": 60, "Tags": pairs(TAGS)}
    aws.cloudwatch.put_metric_alarm(
        AlarmName=name("alarm", "cpu-high"), AlarmDescription=f"{S} {E}: the service's average cpu is above the "
        "threshold (stackhost)", Namespace="AWS/ECS", MetricName="CPUUtilization", Statistic="Average",
        Dimensions=[{"Name": "ClusterName", "Value": CLUSTER}, {"Name": "ServiceName", "Value": SERVICE}],
        EvaluationPeriods=3, DatapointsToAlarm=3, Threshold=80, ComparisonOperator="GreaterThanThreshold", **common)
    aws.cloudwatch.put_metric_alarm(
        AlarmName=name("alarm", "healthy-tasks-low"), AlarmDescription=f"{S} {E}: fewer healthy targets than the "
        "minimum (stackhost)", Namespace="AWS/ApplicationELB", MetricName="HealthyHostCount",
        Statistic="Minimum", Dimensions=[
            {"Name": "TargetGroup", "Value": out["tg_arn"].rsplit(":", 1)[1]},  # targetgroup/...
            {"Name": "LoadBalancer", "Value": out["alb_arn"].split(":loadbalancer/", 1)[1]}],  # app/...
        EvaluationPeriods=2, DatapointsToAlarm=2, Threshold=2, ComparisonOperator="LessThanThreshold",
        TreatMissingData="breaching", **common)


def deploy(aws):
    out = {"account": aws.sts.get_caller_identity()["Account"]}
    for plugin in (network, registry, secrets_, lb, compute, scaling, observability):
        plugin(aws, out)


# --- destroy, the plugins in reverse order


def observability_destroy(aws, account):
    aws.cloudwatch.delete_alarms(AlarmNames=[name("alarm", "cpu-high"), name("alarm", "healthy-tasks-low")])
    aws.sns.delete_topic(TopicArn=f"arn:aws:sns:{REGION}:{account}:{name('sns', 'alarms')}")
    alias = f"alias/{name('kms', 'alarms')}"
    key = aws.kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"]
    aws.kms.delete_alias(AliasName=alias)
    aws.kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)


def scaling_destroy(aws, account):
    aws.aas.delete_scaling_policy(PolicyName=name("scaling", "cpu"), **SCALABLE)
    aws.aas.deregister_scalable_target(**SCALABLE)


def compute_destroy(aws, account):
    ecs, iam = aws.ecs, aws.iam

    def service():
        found = ecs.describe_services(cluster=CLUSTER, services=[SERVICE])["services"]
        return found[0] if found else None  # missing: gone

    ecs.update_service(cluster=CLUSTER, service=SERVICE, desiredCount=0)
    wait("service drained", lambda: service()["runningCount"] == 0)
    ecs.delete_service(cluster=CLUSTER, service=SERVICE)
    wait("service inactive", lambda: (service() or {"status": "INACTIVE"})["status"] == "INACTIVE")
    family = name("task")
    revisions = [arn for arn in ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
                 if arn.split("/")[-1].rsplit(":", 1)[0] == family]
    for arn in revisions:
        ecs.deregister_task_definition(taskDefinition=arn)
    for i in range(0, len(revisions), 10):  # at most ten a call
        ecs.delete_task_definitions(taskDefinitions=revisions[i:i + 10])
    ecs.delete_cluster(cluster=CLUSTER)
    aws.logs.delete_log_group(logGroupName=name("logs"))
    iam.delete_role_policy(RoleName=name("role", "exec"), PolicyName=name("policy", "exec"))
    iam.delete_role(RoleName=name("role", "exec"))
    iam.delete_role(RoleName=name("role", "task"))


def lb_destroy(aws, account):
    elb = aws.elbv2
    alb = elb.describe_load_balancers(Names=[name("alb")])["LoadBalancers"][0]["LoadBalancerArn"]
    elb.modify_load_balancer_attributes(LoadBalancerArn=alb,
                                        Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}])
    elb.delete_load_balancer(LoadBalancerArn=alb)  # its listeners with it

    def gone():
        try:
            return not elb.describe_load_balancers(LoadBalancerArns=[alb])["LoadBalancers"]
        except botocore.exceptions.ClientError as error:
            if error.response["Error"]["Code"] == "LoadBalancerNotFound":
                return True
            raise

    wait("load balancer deleted", gone)
    tg = elb.describe_target_groups(Names=[name("tg")])["TargetGroups"][0]["TargetGroupArn"]
    elb.delete_target_group(TargetGroupArn=tg)


def secrets_destroy(aws, account):
    aws.ssm.delete_parameters(Names=[f"/{S}/{E}/db-connection-string", f"/{S}/{E}/api-key"])


def registry_destroy(aws, account):
    aws.ecr.delete_repository(repositoryName=name("ecr"), force=True)  # images and all
    aws.iam.delete_policy(PolicyArn=f"arn:aws:iam::{account}:policy/{name('policy', 'ecr-push')}")


def network_destroy(aws, account):
    ec2 = aws.ec2
    vpc = ec2.describe_vpcs(Filters=owned(name("vpc")))["Vpcs"][0]["VpcId"]
    nats = ec2.describe_nat_gateways(Filters=in_vpc(vpc) + [{"Name": "state", "Values": ["pending", "available"]}])
    nats = [n["NatGatewayId"] for n in nats["NatGateways"]]
    for nat in nats:
        ec2.delete_nat_gateway(NatGatewayId=nat)

    def nats_deleted():
        try:
            found = ec2.describe_nat_gateways(NatGatewayIds=nats)["NatGateways"]
        except botocore.exceptions.ClientError as error:
            if error.response["Error"]["Code"] == "NatGatewayNotFound":
                return True
            raise
        return all(n["State"] == "deleted" for n in found)

    if nats:
        wait("nat gateways deleted", nats_deleted)  # a deleting gateway still holds its address
    for address in ec2.describe_addresses(Filters=owned())["Addresses"]:
        ec2.release_address(AllocationId=address["AllocationId"])
    for table in ec2.describe_route_tables(Filters=in_vpc(vpc))["RouteTables"]:
        if any(a.get("Main") for a in table["Associations"]):
            continue  # the vpc's main table goes with the vpc
        for association in table["Associations"]:
            ec2.disassociate_route_table(AssociationId=association["RouteTableAssociationId"])
        ec2.delete_route_table(RouteTableId=table["RouteTableId"])
    groups = {g["GroupName"]: g["GroupId"] for g in ec2.describe_security_groups(Filters=in_vpc(vpc))["SecurityGroups"]}
    alb_sg, tasks_sg = groups[f"{S}-alb-{E}"], groups[f"{S}-tasks-{E}"]
    # each group references the other: no group is deleted while referenced
    ec2.revoke_security_group_egress(GroupId=alb_sg, IpPermissions=[tcp(8080, group=tasks_sg)])
    ec2.revoke_security_group_ingress(GroupId=tasks_sg, IpPermissions=[tcp(8080, group=alb_sg)])
    wait("network interfaces of the security groups released", lambda: not ec2.describe_network_interfaces(
        Filters=[{"Name": "group-id", "Values": [alb_sg, tasks_sg]}])["NetworkInterfaces"])
    for group in (alb_sg, tasks_sg):
        ec2.delete_security_group(GroupId=group)
    for subnet in ec2.describe_subnets(Filters=in_vpc(vpc))["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    igws = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}])["InternetGateways"]
    for igw in igws:
        ec2.detach_internet_gateway(InternetGatewayId=igw["InternetGatewayId"], VpcId=vpc)
        ec2.delete_internet_gateway(InternetGatewayId=igw["InternetGatewayId"])
    ec2.delete_vpc(VpcId=vpc)


def destroy(aws):
    account = aws.sts.get_caller_identity()["Account"]
    for plugin in (observability_destroy, scaling_destroy, compute_destroy, lb_destroy, secrets_destroy,
                   registry_destroy, network_destroy):
        plugin(aws, account)


def main():
    mode = sys.argv[1] if len(sys.argv) == 2 else ""
    if mode not in ("deploy", "destroy"):
        sys.exit("usage: sequential.py deploy|destroy")
    if mode == "deploy" and not os.environ.get("CATALOG_DB_URL"):
        sys.exit("sequential: CATALOG_DB_URL is not set (the value of /catalog/prod/db-connection-string)")
    session = boto3.session.Session(region_name=REGION)
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    services = {"sts": "sts", "ec2": "ec2", "ecr": "ecr", "iam": "iam", "ssm": "ssm", "elbv2": "elbv2",
                "ecs": "ecs", "logs": "logs", "aas": "application-autoscaling", "kms": "kms", "sns": "sns",
                "cloudwatch": "cloudwatch"}  # aws.<attribute>: boto3's service name
    # every client made before the timing starts: its start-up is not the deploy's
    aws = types.SimpleNamespace(**{attribute: session.client(service, endpoint_url=endpoint)
                                   for attribute, service in services.items()})
    start = time.perf_counter()
    try:
        (deploy if mode == "deploy" else destroy)(aws)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError, RuntimeError, TimeoutError) as error:
        sys.exit(f"sequential: {mode} failed: {error}")
    print(json.dumps({"work_seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    main()
