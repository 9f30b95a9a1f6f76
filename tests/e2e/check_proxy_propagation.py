#!/usr/bin/env python3
"""Proves count_proxy.py's --propagation answers with boto3: for every rule,
the trigger, then the refused request, whose error must parse in botocore
with AWS's code, HTTP status and message; then, once the window has
passed, the same request goes through. Also --fail.

usage: check_proxy_propagation.py PROXY_URL WINDOW_SECONDS
Exit 0, printing nothing, when every check holds; prints each failure."""
import sys
import time
import urllib.request
import json

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

url, window = sys.argv[1], float(sys.argv[2])
config = Config(retries={"max_attempts": 1, "mode": "standard"})


def client(name):
    return boto3.client(name, endpoint_url=url, region_name="us-east-1", config=config)


ecs, iam, logs, kms, elbv2, ec2, aas = (client(n) for n in ("ecs", "iam", "logs", "kms", "elbv2", "ec2",
                                                            "application-autoscaling"))
failures = []


def refused(what, call, code, status, fragment):
    try:
        call()
    except ClientError as error:
        got = error.response["Error"]
        http = error.response["ResponseMetadata"]["HTTPStatusCode"]
        if got.get("Code") != code or http != status or fragment.lower() not in got.get("Message", "").lower():
            failures.append(f"{what}: expected {code} ({status}) with '{fragment}', got {got.get('Code')} ({http}): "
                            f"{got.get('Message')}")
        return
    failures.append(f"{what}: expected {code}, the request succeeded")


def after_window(what, call):
    time.sleep(window + 0.3)
    try:
        return call()
    except ClientError as error:
        failures.append(f"{what}: after the window: {error.response['Error']}")


def proxy_set(settings):
    request = urllib.request.Request(url + "/__proxy/settings", data=json.dumps(settings).encode(), method="POST")
    urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10).read()


# ECS's service-linked role: the first CreateCluster
refused("ecs-slr: CreateCluster", lambda: ecs.create_cluster(clusterName="c1"), "InvalidParameterException", 400,
        "Unable to assume the service linked role")
after_window("ecs-slr: CreateCluster", lambda: ecs.create_cluster(clusterName="c1"))

# a new role unknown to GetRole, PutRolePolicy, TagRole
trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                            "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]})
iam.create_role(RoleName="r1", AssumeRolePolicyDocument=trust)
refused("iam-role: GetRole", lambda: iam.get_role(RoleName="r1"), "NoSuchEntity", 404, "The role with name r1 cannot")
refused("iam-role: TagRole", lambda: iam.tag_role(RoleName="r1", Tags=[{"Key": "a", "Value": "b"}]), "NoSuchEntity",
        404, "cannot be found")

# a new log group
logs.create_log_group(logGroupName="g1")
refused("logs: PutRetentionPolicy", lambda: logs.put_retention_policy(logGroupName="g1", retentionInDays=14),
        "ResourceNotFoundException", 400, "The specified log group does not exist.")

# KMS: a new key, a cancelled deletion, an enabled key
key = kms.create_key()["KeyMetadata"]["KeyId"]
refused("kms-create: DescribeKey", lambda: kms.describe_key(KeyId=key), "NotFoundException", 400, "does not exist")
after_window("kms-create: DescribeKey", lambda: kms.describe_key(KeyId=key))
kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
kms.cancel_key_deletion(KeyId=key)
refused("kms-cancel: EnableKey", lambda: kms.enable_key(KeyId=key), "KMSInvalidStateException", 400,
        "is pending deletion.")
after_window("kms-cancel: EnableKey", lambda: kms.enable_key(KeyId=key))
refused("kms-enable: EnableKeyRotation", lambda: kms.enable_key_rotation(KeyId=key), "DisabledException", 400,
        "is disabled.")
refused("kms-enable: CreateAlias", lambda: kms.create_alias(AliasName="alias/a1", TargetKeyId=key),
        "DisabledException", 400, "is disabled.")

# ELBv2: a new target group, a certificate, a listener; ECS before the listener counts
vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.1.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]
           ["SubnetId"] for i, z in ((1, "a"), (2, "b"))]
group = ec2.create_security_group(GroupName="g1", Description="g", VpcId=vpc)["GroupId"]
alb = elbv2.create_load_balancer(Name="a1", Subnets=subnets, SecurityGroups=[group])["LoadBalancers"][0]
tg = elbv2.create_target_group(Name="t1", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip")[
    "TargetGroups"][0]["TargetGroupArn"]
refused("target-group: ModifyTargetGroupAttributes",
        lambda: elbv2.modify_target_group_attributes(TargetGroupArn=tg, Attributes=[
            {"Key": "deregistration_delay.timeout_seconds", "Value": "30"}]), "TargetGroupNotFound", 400,
        "One or more target groups not found")
cert = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000001"
forward = [{"Type": "forward", "TargetGroupArn": tg}]
refused("certificate: CreateListener", lambda: elbv2.create_listener(
    LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTPS", Port=443, Certificates=[{"CertificateArn": cert}],
    DefaultActions=forward), "CertificateNotFound", 400, f"Certificate '{cert}' not found")
after_window("target-group: CreateListener", lambda: elbv2.create_listener(
    LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=forward))
family = ecs.register_task_definition(family="f1", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                      cpu="256", memory="512", containerDefinitions=[
                                          {"name": "api", "image": "nginx", "portMappings": [{"containerPort": 8080}]}])
service = dict(cluster="c1", serviceName="s1", taskDefinition="f1", desiredCount=1, launchType="FARGATE",
               networkConfiguration={"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [group]}},
               loadBalancers=[{"targetGroupArn": tg, "containerName": "api", "containerPort": 8080}])
refused("listener: CreateService", lambda: ecs.create_service(**service), "InvalidParameterException", 400,
        f"The target group with targetGroupArn {tg} does not have an associated load balancer.")
after_window("listener: CreateService", lambda: ecs.create_service(**service))

# ECS: deployments active; Application Auto Scaling's service-linked role
refused("ecs-deployments: DeleteService", lambda: ecs.delete_service(cluster="c1", service="s1", force=True),
        "InvalidParameterException", 400, "The service cannot be stopped while deployments are active.")
aas.register_scalable_target(ServiceNamespace="ecs", ResourceId="service/c1/s1",
                             ScalableDimension="ecs:service:DesiredCount", MinCapacity=1, MaxCapacity=2)
policy = dict(PolicyName="p1", ServiceNamespace="ecs", ResourceId="service/c1/s1",
              ScalableDimension="ecs:service:DesiredCount", PolicyType="TargetTrackingScaling",
              TargetTrackingScalingPolicyConfiguration={"TargetValue": 70, "PredefinedMetricSpecification": {
                  "PredefinedMetricType": "ECSServiceAverageCPUUtilization"}})
refused("aas-slr: PutScalingPolicy", lambda: aas.put_scaling_policy(**policy), "FailedResourceAccessException", 400,
        "AWSServiceRoleForApplicationAutoScaling_ECSService")
after_window("aas-slr: PutScalingPolicy", lambda: aas.put_scaling_policy(**policy))

# a revision deregistered a moment ago: DeleteTaskDefinitions lists it in failures[]
td = family["taskDefinition"]["taskDefinitionArn"]
ecs.deregister_task_definition(taskDefinition=td)
deleted = ecs.delete_task_definitions(taskDefinitions=[td])
if [f.get("arn") for f in deleted.get("failures", [])] != [td] or deleted.get("taskDefinitions"):
    failures.append(f"ecs-deregister: DeleteTaskDefinitions: expected {td} in failures[], got {deleted}")
deleted = after_window("ecs-deregister: DeleteTaskDefinitions", lambda: ecs.delete_task_definitions(taskDefinitions=[td]))
if deleted and deleted.get("failures"):
    failures.append(f"ecs-deregister: after the window: {deleted['failures']}")

# network interfaces that outlive the load balancer and the service
ecs.delete_service(cluster="c1", service="s1", force=True)
elbv2.delete_load_balancer(LoadBalancerArn=alb["LoadBalancerArn"])
refused("eni-linger: DeleteSecurityGroup", lambda: ec2.delete_security_group(GroupId=group), "DependencyViolation",
        400, f"resource {group} has a dependent object")
refused("eni-linger: DeleteSubnet", lambda: ec2.delete_subnet(SubnetId=subnets[0]), "DependencyViolation", 400,
        "has dependencies and cannot be deleted")
after_window("eni-linger: DeleteSecurityGroup", lambda: ec2.delete_security_group(GroupId=group))

# IAM: a policy and a role just detached
arn = iam.create_policy(PolicyName="p1", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]}))["Policy"]["Arn"]
iam.attach_role_policy(RoleName="r1", PolicyArn=arn)
iam.detach_role_policy(RoleName="r1", PolicyArn=arn)
refused("iam-detach: DeletePolicy", lambda: iam.delete_policy(PolicyArn=arn), "DeleteConflict", 409,
        "Cannot delete a policy attached to entities.")
refused("iam-detach: DeleteRole", lambda: iam.delete_role(RoleName="r1"), "DeleteConflict", 409,
        "must remove policies first")
after_window("iam-detach: DeletePolicy", lambda: iam.delete_policy(PolicyArn=arn))

# a genuine refusal
proxy_set({"fail": "CreateCluster=InvalidParameterException:Fargate does not support this cpu and memory"})
refused("fail: CreateCluster", lambda: ecs.create_cluster(clusterName="c2"), "InvalidParameterException", 400,
        "does not support")
proxy_set({"fail": ""})

for failure in failures:
    print(failure)
sys.exit(1 if failures else 0)
