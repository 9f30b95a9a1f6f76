#!/usr/bin/env bash
# The registry plugin end to end against moto's server, checked with boto3
# and the AWS CLI (never with stackhost's reading): the repository, its
# lifecycle policy and the push policy; plan with no changes, a redeploy
# that sends no mutating request, drift repaired, a changed keep_images,
# policy versions pruned, a foreign repository and policy left alone,
# destroy with an image inside and twice; then deploy, plan and destroy
# through the fault proxy over seeds 1..3; a create whose answer was lost.
# usage: test_registry.sh STACKHOST SOURCE_DIR
set -u
bin=$1 src=$2
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset
e2e_start_fault_proxy
export STACKHOST_RETRY_BASE_MS=100

cfg=$tmp/registry.cfg
cat >"$cfg" <<CFG
stack = { name = "catalog"; region = "us-east-1"; tags = { CostCenter = "retail-catalog"; }; };
plugins = { registry = {}; };
environments = { dev = {}; };
CFG
sed 's|registry = {}|registry = { keep_images = 10; }|' "$cfg" >"$tmp/keep10.cfg"
# stackhost goes through the proxy; the checkers talk to moto directly.
sh() { AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" -e dev "$@"; }
direct() { run -c "$cfg" -e dev "$@"; }
arn=arn:aws:iam::123456789012:policy/policy-catalog-ecr-push-dev
other='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:DescribeImages","Resource":"*"}]}'

# --- deploy: every row of the table, outputs
sh --auto-approve deploy
expect_rc 0 "deploy"
expect_out "registry.repository_uri = 123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-catalog-dev" "uri output"
expect_out "registry.repository_arn = arn:aws:ecr:us-east-1:123456789012:repository/ecr-catalog-dev" "arn output"
expect_out "registry.repository_name = ecr-catalog-dev" "name output"
expect_out "registry.push_policy_arn = $arn" "policy output"
expect_checker "the registry after deploy" check_registry catalog dev 5 IMMUTABLE

# --- plan right after: no changes; a redeploy sends no mutating request
sh plan --detailed-exitcode
expect_rc 0 "plan after deploy"
expect_out "no changes: the account matches the configuration" "plan after deploy"
: >"$proxy_log"
sh --auto-approve deploy
expect_rc 0 "second deploy"
expect_equal "" "$(proxy_mutations)" "mutating requests of a second deploy"
checks=$((checks + 1))
grep -q "ecr DescribeRepositories" "$proxy_log" || fail "the proxy saw the second deploy"

# --- drift: scan on push off, tags mutable, the lifecycle policy deleted by hand
awscli ecr put-image-scanning-configuration --repository-name ecr-catalog-dev \
    --image-scanning-configuration scanOnPush=false >/dev/null
awscli ecr put-image-tag-mutability --repository-name ecr-catalog-dev --image-tag-mutability MUTABLE >/dev/null
awscli ecr delete-lifecycle-policy --repository-name ecr-catalog-dev >/dev/null
: >"$proxy_log"
sh plan --detailed-exitcode
expect_rc 3 "plan with drift"
expect_out "~   update    ecr repository ecr-catalog-dev (scan on push false -> true, tag mutability MUTABLE -> IMMUTABLE)" \
    "plan shows scan on push and tag mutability"
expect_out "+   create    lifecycle policy of ecr-catalog-dev (keep the newest 5 images)" "plan shows the lifecycle policy"
expect_equal "" "$(proxy_mutations)" "mutating requests of a plan"
sh --auto-approve deploy
expect_rc 0 "deploy repairs drift"
expect_checker "the registry after repairing drift" check_registry catalog dev 5 IMMUTABLE

# --- keep_images changed: the lifecycle policy follows
AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/keep10.cfg" -e dev --auto-approve deploy
expect_rc 0 "deploy keep_images = 10"
expect_err "update lifecycle policy of ecr-catalog-dev (keep the newest 5 images -> 10 images)" "lifecycle update reported"
expect_checker "the registry keeping 10 images" check_registry catalog dev 10 IMMUTABLE

# --- policy versions made by hand up to the limit of 5, the last the default:
# ours is the default again; the earlier versions are kept (as Terraform
# keeps them), only the oldest goes to make room at IAM's limit of 5
for i in 1 2 3; do
    awscli iam create-policy-version --policy-arn "$arn" --policy-document "$other" >/dev/null
done
awscli iam create-policy-version --policy-arn "$arn" --policy-document "$other" --set-as-default >/dev/null
sh plan --detailed-exitcode
expect_rc 3 "plan with other policy versions"
# the document by hand has one statement without a Sid: ours has two, named
expect_out "~   update    iam policy policy-catalog-ecr-push-dev (document: statement PushPull added, statement Login added, statement 1 removed, the oldest version v1 deleted (iam keeps 5), a new default version)" \
    "plan shows the versions"
: >"$proxy_log"
sh --auto-approve deploy
expect_rc 0 "deploy with 5 policy versions"
expect_equal "iam DeletePolicyVersion
iam CreatePolicyVersion" "$(proxy_mutations | grep '^iam ')" "the oldest version deleted, then the new default made"
expect_checker "the registry after a new version" check_registry catalog dev 5 IMMUTABLE 5
expect_equal "v2 v3 v4 v5 v6" "$(awscli iam list-policy-versions --policy-arn "$arn" |
    json '" ".join(sorted((v["VersionId"] for v in d["Versions"]), key=lambda v: int(v[1:])))')" "the versions kept"
sh plan --detailed-exitcode
expect_rc 0 "plan after the new version"

# --- an image inside stops destroy unless registry.delete_images; a second destroy succeeds
manifest='{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},"layers":[]}'
awscli ecr put-image --repository-name ecr-catalog-dev --image-tag t1 --image-manifest "$manifest" >/dev/null
expect_equal "1" "$(awscli ecr list-images --repository-name ecr-catalog-dev | json 'len(d["imageIds"])')" "an image pushed"
: >"$proxy_log"
sh --auto-approve destroy
expect_rc 1 "destroy of a repository holding an image, registry.delete_images unset"
expect_err "error: registry: ecr repository ecr-catalog-dev holds 1 image: destroy will not delete it; set registry.delete_images = true for this environment" \
    "the refusal counts the images and names the key"
expect_equal "" "$(proxy_mutations)" "mutating requests of the refused destroy"
expect_equal "1" "$(awscli ecr list-images --repository-name ecr-catalog-dev | json 'len(d["imageIds"])')" "the image kept"
sed 's|registry = {}|registry = { delete_images = true; }|' "$cfg" >"$tmp/deletable.cfg"
AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/deletable.cfg" -e dev plan --detailed-exitcode --destroy
expect_rc 3 "plan --destroy with registry.delete_images"
expect_out "delete    ecr repository ecr-catalog-dev (with its 1 image)" "the plan counts the images"
AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/deletable.cfg" -e dev --auto-approve destroy
expect_rc 0 "destroy with an image, registry.delete_images = true"
expect_checker "leftovers after destroy" check_registry --gone catalog dev
sh --auto-approve destroy
expect_rc 0 "second destroy"
expect_err "destroy complete" "second destroy"

# --- KMS encryption cannot change in place: plan and deploy refuse it alike without
# --allow-replace; plan --allow-replace shows the replacement
tags='Key=Project,Value=catalog Key=Environment,Value=dev Key=ManagedBy,Value=stackhost'
# shellcheck disable=SC2086
awscli ecr create-repository --repository-name ecr-catalog-dev --encryption-configuration encryptionType=KMS \
    --tags $tags >/dev/null
sh plan --detailed-exitcode
expect_rc 1 "plan with kms encryption, without --allow-replace"
expect_err "ecr repository ecr-catalog-dev: encryption is KMS and must be AES256, which cannot change in place" \
    "the plan shows the refusal"
sh --allow-replace plan --detailed-exitcode
expect_rc 3 "plan --allow-replace with kms encryption"
expect_out "replace   ecr repository ecr-catalog-dev (encryption KMS -> AES256)" "plan shows the replacement"
: >"$proxy_log"
sh --auto-approve deploy
expect_rc 1 "deploy without --allow-replace"
expect_err "ecr repository ecr-catalog-dev: encryption is KMS and must be AES256, which cannot change in place" \
    "replacement refused"
expect_equal "" "$(proxy_mutations)" "mutating requests of a refused replacement"
sh --allow-replace --auto-approve deploy
expect_rc 0 "deploy --allow-replace"
expect_checker "the registry after the replacement" check_registry catalog dev 5 IMMUTABLE
sh outputs
expect_rc 0 "outputs"
expect_out "registry.push_policy_arn = $arn" "outputs by lookups"
sh --auto-approve destroy
expect_rc 0 "destroy after the replacement"

# --- a repository, then a policy, with our name but not our tags: deploy stops before changing anything
awscli ecr create-repository --repository-name ecr-catalog-dev >/dev/null
: >"$proxy_log"
sh --auto-approve deploy
expect_rc 1 "foreign repository"
expect_err "a repository named ecr-catalog-dev exists without this stack's ownership tags (Project=catalog, Environment=dev, ManagedBy=stackhost)" \
    "foreign repository error"
expect_equal "" "$(proxy_mutations)" "mutating requests with a foreign repository in the way"
awscli ecr delete-repository --repository-name ecr-catalog-dev >/dev/null
awscli iam create-policy --policy-name policy-catalog-ecr-push-dev --policy-document "$other" >/dev/null
: >"$proxy_log"
sh --auto-approve deploy
expect_rc 1 "foreign policy"
expect_err "a policy named policy-catalog-ecr-push-dev exists without this stack's ownership tags" "foreign policy error"
expect_equal "" "$(proxy_mutations)" "mutating requests with a foreign policy in the way"
sh --auto-approve destroy
expect_rc 0 "destroy leaves the foreign policy"
expect_equal "1" "$(awscli iam list-policy-versions --policy-arn "$arn" | json 'len(d["Versions"])')" \
    "the foreign policy is untouched"

# --- through faults: throttling, 5xx, connections dropped before and after forwarding
for seed in 1 2 3; do
    e2e_reset
    proxy_set "{\"seed\": $seed, \"throttle\": 0.05, \"errors\": 0.05, \"drop_before\": 0.05, \"drop_after\": 0.05}" >/dev/null
    : >"$proxy_json"
    until_converged sh --auto-approve deploy
    expect_rc 0 "deploy through faults, seed $seed"
    expect_checker "the registry after a deploy through faults, seed $seed" check_registry catalog dev 5 IMMUTABLE
    direct plan --detailed-exitcode
    expect_rc 0 "plan straight to the emulator after a deploy through faults, seed $seed"
    until_converged sh --auto-approve destroy
    expect_rc 0 "destroy through faults, seed $seed"
    expect_checker "leftovers after a destroy through faults, seed $seed" check_registry --gone catalog dev
    faults=$(proxy_faults)
    checks=$((checks + 1))
    [ "$faults" -gt 0 ] || fail "seed $seed injected no fault"
done

# --- a create whose answer was lost: the next pass finds the repository, and its line says it
# was made by this run (not found unchanged); one repository, the answer lost once
e2e_reset
proxy_set '{"throttle": 0, "errors": 0, "drop_before": 0, "drop_after": 0, "lose": "CreateRepository"}' >/dev/null
: >"$proxy_json"
sh --auto-approve deploy
expect_rc 0 "deploy with the answer of CreateRepository lost"
lost=$(python3 -c 'import json, sys; print(sum(json.loads(l).get("fault") == "drop-after" for l in open(sys.argv[1]) if l.strip()))' "$proxy_json")
expect_equal "1" "$lost" "answers lost"
expect_err "registry: create ecr repository ecr-catalog-dev" "a create whose answer was lost is reported as made"
expect_checker "the registry after a lost create" check_registry catalog dev 5 IMMUTABLE
sh --auto-approve destroy
expect_rc 0 "destroy after a lost create"

checks_done
