#!/usr/bin/env bash
# At least one read call to each service of aws-api.md through stackhost's
# own client (aws_probe), against moto's server; each answer is checked
# against what the AWS CLI creates and reads. Plus the three error shapes.
# usage: test_aws_reads.sh AWS_PROBE SOURCE_DIR
set -u
probe=$1 src=$2
bin=$probe
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset

p() { run "$@"; }

# sts
p sts GetCallerIdentity
expect_rc 0 "sts"
expect_equal "$(awscli sts get-caller-identity | json 'd["Account"]')" "$(json 'd["Account"]' <<<"$out")" "sts account"

# ec2: the region's zones, and the default vpc moto makes
p ec2 DescribeAvailabilityZones 'Filter[0].Name=state' 'Filter[0].Value[0]=available'
expect_rc 0 "ec2 zones"
expect_equal "$(awscli ec2 describe-availability-zones --filters Name=state,Values=available | json 'len(d["AvailabilityZones"])')" \
    "$(json 'len(d["availabilityZoneInfo"]["item"])' <<<"$out")" "ec2 zone count"
vpc=$(awscli ec2 create-vpc --cidr-block 10.9.0.0/16 | json 'd["Vpc"]["VpcId"]')
p ec2 DescribeVpcs "VpcId[0]=$vpc"
expect_equal "10.9.0.0/16" "$(json 'd["vpcSet"]["item"]["cidrBlock"]' <<<"$out")" "ec2 vpc by id"

# elbv2
tg=$(awscli elbv2 create-target-group --name tg-e2e --protocol HTTP --port 8080 --vpc-id "$vpc" --target-type ip |
    json 'd["TargetGroups"][0]["TargetGroupArn"]')
p elbv2 DescribeTargetGroups 'Names[0]=tg-e2e'
expect_equal "$tg" "$(json 'd["TargetGroups"]["member"]["TargetGroupArn"]' <<<"$out")" "elbv2 target group"

# ecr
uri=$(awscli ecr create-repository --repository-name ecr-e2e | json 'd["repository"]["repositoryUri"]')
p ecr DescribeRepositories 'repositoryNames[0]=ecr-e2e'
expect_equal "$uri" "$(json 'd["repositories"][0]["repositoryUri"]' <<<"$out")" "ecr repository"

# ecs
arn=$(awscli ecs create-cluster --cluster-name cluster-e2e | json 'd["cluster"]["clusterArn"]')
p ecs DescribeClusters 'clusters[0]=cluster-e2e'
expect_equal "$arn" "$(json 'd["clusters"][0]["clusterArn"]' <<<"$out")" "ecs cluster"

# iam, with pagination over three pages of one role
trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
for r in role-a role-b role-c; do awscli iam create-role --role-name $r --assume-role-policy-document "$trust" >/dev/null; done
p iam GetRole RoleName=role-b
expect_equal "$(awscli iam get-role --role-name role-b | json 'd["Role"]["Arn"]')" \
    "$(json 'd["Role"]["Arn"]' <<<"$out")" "iam role"
p --all Roles.member iam ListRoles MaxItems:=1
expect_rc 0 "iam paginated"
expect_equal "$(awscli iam list-roles | json 'len(d["Roles"])')" "$(json 'len(d["Roles"]["member"])' <<<"$out")" \
    "iam roles over pages"

# ssm (a plain String: nothing secret here)
awscli ssm put-parameter --name /e2e/plain --type String --value hello >/dev/null
p ssm GetParameter Name=/e2e/plain
expect_equal "hello" "$(json 'd["Parameter"]["Value"]' <<<"$out")" "ssm parameter"

# logs
awscli logs create-log-group --log-group-name logs-e2e
p logs DescribeLogGroups logGroupNamePrefix=logs-e2e
expect_equal "$(awscli logs describe-log-groups --log-group-name-prefix logs-e2e | json 'd["logGroups"][0]["arn"]')" \
    "$(json 'd["logGroups"][0]["arn"]' <<<"$out")" "logs group"

# cloudwatch (query protocol)
awscli cloudwatch put-metric-alarm --alarm-name alarm-e2e --namespace AWS/ECS --metric-name CPUUtilization \
    --statistic Average --period 60 --evaluation-periods 3 --threshold 80 --comparison-operator GreaterThanThreshold
p cloudwatch DescribeAlarms 'AlarmNames[0]=alarm-e2e'
expect_equal "$(awscli cloudwatch describe-alarms --alarm-names alarm-e2e | json 'd["MetricAlarms"][0]["AlarmArn"]')" \
    "$(json 'd["MetricAlarms"]["member"]["AlarmArn"]' <<<"$out")" "cloudwatch alarm"

# application auto scaling
p application-autoscaling DescribeScalableTargets ServiceNamespace=ecs
expect_equal "$(awscli application-autoscaling describe-scalable-targets --service-namespace ecs | json 'len(d["ScalableTargets"])')" \
    "$(json 'len(d["ScalableTargets"])' <<<"$out")" "aas targets"

# sns
topic=$(awscli sns create-topic --name sns-e2e | json 'd["TopicArn"]')
p sns GetTopicAttributes "TopicArn=$topic"
expect_rc 0 "sns attributes"
expect_equal "$topic" "$(json '[e["value"] for e in d["Attributes"]["entry"] if e["key"]=="TopicArn"][0]' <<<"$out")" "sns topic"

# kms, paginated aliases
key=$(awscli kms create-key | json 'd["KeyMetadata"]["KeyId"]')
awscli kms create-alias --alias-name alias/e2e --target-key-id "$key"
p --all Aliases kms ListAliases Limit:=1
expect_equal "$key" "$(json '[a["TargetKeyId"] for a in d["Aliases"] if a["AliasName"]=="alias/e2e"][0]' <<<"$out")" "kms alias"

# the three error shapes, as structured errors
p ec2 DescribeVpcs 'VpcId[0]=vpc-00000000'
expect_rc 3 "ec2 error"
expect_equal "InvalidVpcID.NotFound 400 1" "$(json '" ".join(str(d["error"][k]) for k in ("code", "http_status", "attempts"))' <<<"$out")" "ec2 error shape"
p iam GetRole RoleName=nope
expect_equal "NoSuchEntity 404" "$(json '" ".join(str(d["error"][k]) for k in ("code", "http_status"))' <<<"$out")" "query error shape"
p ecr DescribeRepositories 'repositoryNames[0]=nope'
expect_equal "RepositoryNotFoundException" "$(json 'd["error"]["code"]' <<<"$out")" "json error shape"
checks=$((checks + 1))
[ -n "$(json 'd["error"]["request_id"]' <<<"$out")" ] || fail "json error has a request id"

# plan safety: a mutating call is never sent
p --read-only ecr CreateRepository repositoryName=never-made
expect_equal "PlanRefused" "$(json 'd["error"]["code"]' <<<"$out")" "read-only refuses"
awscli ecr describe-repositories --repository-names never-made >/dev/null 2>&1
found=$?
checks=$((checks + 1))
[ "$found" != 0 ] || fail "a refused call reached the emulator"

# services the host does not know, declared as a plugin declares them (service.h):
# route53 (rest-xml: a path, a query, an XML body; global, signed in us-east-1) and
# dynamodb (json 1.0, paginated); what they change is read back with the AWS CLI
zone=$(awscli route53 create-hosted-zone --name example.test --caller-reference r1 | json 'd["HostedZone"]["Id"].split("/")[-1]')
rr='ChangeBatch.Changes.Change[0]'
p --declared route53 ChangeResourceRecordSets "Id=$zone" "$rr.Action=UPSERT" "$rr.ResourceRecordSet.Name=www.example.test" \
    "$rr.ResourceRecordSet.Type=TXT" "$rr.ResourceRecordSet.TTL:=60" \
    "$rr.ResourceRecordSet.ResourceRecords.ResourceRecord[0].Value=\"made by stackhost\""
expect_rc 0 "route53 ChangeResourceRecordSets"
change=$(json 'd["ChangeInfo"]["Id"].split("/")[-1]' <<<"$out")
expect_equal '"made by stackhost"' "$(awscli route53 list-resource-record-sets --hosted-zone-id "$zone" |
    json '[r["ResourceRecords"][0]["Value"] for r in d["ResourceRecordSets"] if r["Type"] == "TXT"][0]')" \
    "the record, read by the aws cli"
p --declared route53 ListResourceRecordSets "Id=$zone" StartRecordName=www.example.test StartRecordType=TXT
expect_equal "www.example.test. 60" \
    "$(json '" ".join([d["ResourceRecordSets"]["ResourceRecordSet"]["Name"], d["ResourceRecordSets"]["ResourceRecordSet"]["TTL"]])' <<<"$out")" \
    "route53 ListResourceRecordSets: a query"
p --declared route53 ListHostedZonesByName DNSName=example.test
expect_equal "/hostedzone/$zone" "$(json 'd["HostedZones"]["HostedZone"]["Id"]' <<<"$out")" "route53 zone by name"
p --declared route53 GetChange "Id=$change"
expect_equal "INSYNC" "$(json 'd["ChangeInfo"]["Status"]' <<<"$out")" "route53 GetChange"
p --declared route53 GetHostedZone Id=ZNOPE
expect_rc 3 "route53 error"
expect_equal "NoSuchHostedZone 404" "$(json '" ".join(str(d["error"][k]) for k in ("code", "http_status"))' <<<"$out")" \
    "rest-xml error shape"
for t in t1 t2; do
    awscli dynamodb create-table --table-name $t --attribute-definitions AttributeName=k,AttributeType=S \
        --key-schema AttributeName=k,KeyType=HASH --billing-mode PAY_PER_REQUEST >/dev/null
done
p --declared --all TableNames dynamodb ListTables Limit:=1
expect_rc 0 "dynamodb ListTables"
expect_equal "t1 t2" "$(json '" ".join(d["TableNames"])' <<<"$out")" "dynamodb (json 1.0), every page"

checks_done
