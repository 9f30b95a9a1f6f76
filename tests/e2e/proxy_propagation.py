"""AWS's propagation answers, for count_proxy.py's --propagation mode.

After a trigger (a request that AWS acts on, or an account's first use of
a service), AWS refuses some requests for a while with an answer that
means "not yet" (aws-api.md section 13): the service-linked roles of ECS
and Application Auto Scaling being made, a new role or log group unknown
to the next call, a listener's target group not yet associated, a key
leaving pending deletion, network interfaces outliving what made them.
moto applies everything at once; this module answers those requests as
AWS does, with AWS's code, HTTP status and message, for `window` seconds
after the trigger, without forwarding them.

The rules (names for --propagation-rules), trigger -> what is refused:
  ecs-slr          the first ECS CreateCluster (since the proxy started or
                   forgot) -> CreateCluster, CreateService: 400
                   InvalidParameterException "Unable to assume the service
                   linked role..." (the trigger itself is refused: the role
                   is being made)
  aas-slr          the first RegisterScalableTarget, or the first
                   DeleteScalingPolicy (a destroy within minutes of the first
                   deploy) -> PutScalingPolicy, DescribeScalingPolicies,
                   DeleteScalingPolicy: 400 FailedResourceAccessException
                   (the service-linked role's cloudwatch permissions)
  listener         CreateListener / ModifyListener forwarding to a target
                   group -> ECS CreateService / UpdateService naming it: 400
                   InvalidParameterException "... does not have an
                   associated load balancer."
  target-group     CreateTargetGroup -> ModifyTargetGroupAttributes, AddTags,
                   CreateListener, ModifyListener naming its arn: 400
                   TargetGroupNotFound
  certificate      the first sighting of a certificate arn in CreateListener /
                   ModifyListener -> those naming it: 400 CertificateNotFound
  kms-create       CreateKey -> KMS calls naming the key: 400 NotFoundException
  kms-cancel       CancelKeyDeletion -> EnableKey and the key's settings
                   calls: 400 KMSInvalidStateException "<arn> is pending
                   deletion."
  kms-enable       EnableKey -> PutKeyPolicy, EnableKeyRotation, TagResource,
                   CreateAlias / UpdateAlias naming the key: 400
                   DisabledException "<arn> is disabled."
  iam-role         CreateRole -> GetRole, PutRolePolicy, TagRole,
                   AttachRolePolicy, UpdateAssumeRolePolicy of that role: 404
                   NoSuchEntity
  iam-detach       Detach*Policy -> DeletePolicy of that policy: 409
                   DeleteConflict "Cannot delete a policy attached to
                   entities."; DetachRolePolicy / DeleteRolePolicy ->
                   DeleteRole of that role: 409 DeleteConflict; CreatePolicyVersion
                   with SetAsDefault -> DeletePolicyVersion of the default it
                   replaced (as last read by GetPolicy): 409 DeleteConflict
  logs             CreateLogGroup -> PutRetentionPolicy, TagLogGroup,
                   TagResource of that group: 400 ResourceNotFoundException
  ecs-deployments  CreateService / UpdateService -> DeleteService of that
                   service: 400 InvalidParameterException "The service cannot
                   be stopped while deployments are active."
  eni-linger       DeleteLoadBalancer / DeleteService -> DeleteSecurityGroup,
                   DeleteSubnet: 400 DependencyViolation (the interfaces
                   linger although DescribeNetworkInterfaces lists none)
  ecs-deregister   DeregisterTaskDefinition -> DeleteTaskDefinitions naming
                   that revision: 200 with every named revision in
                   failures[] (arn, reason, detail) and none deleted, as ECS
                   answers for a revision it does not see INACTIVE yet (the
                   reason's wording is unverified); the first such request
                   after the deregistration fails whatever the time (a
                   run slowed by valgrind sends it seconds later), the
                   later ones within the window

Triggers are remembered whatever the window (as ids are), so turning the
mode on later applies to what was triggered earlier; forget() clears them
(a new account, as far as the "first" rules go).
"""
import json
import re
import threading

RULES = ("ecs-slr", "aas-slr", "listener", "target-group", "certificate", "kms-create", "kms-cancel", "kms-enable",
         "iam-role", "iam-detach", "logs", "ecs-deployments", "eni-linger", "ecs-deregister")
DEFAULT_ACCOUNT = "123456789012"  # moto's, until an STS GetCallerIdentity answer names another

KMS_KEY_CALLS = ("EnableKey", "DisableKey", "PutKeyPolicy", "GetKeyPolicy", "EnableKeyRotation",
                 "GetKeyRotationStatus", "TagResource", "UntagResource", "ListResourceTags", "DescribeKey",
                 "CreateAlias", "UpdateAlias", "CancelKeyDeletion", "ScheduleKeyDeletion")
KMS_SETTINGS = ("PutKeyPolicy", "EnableKeyRotation", "TagResource", "CreateAlias", "UpdateAlias")


def key_id(value):
    """The key id of a KeyId / TargetKeyId (an id or an arn), or None."""
    if not value:
        return None
    return value.split(":key/", 1)[1] if ":key/" in value else value


class Propagation:
    def __init__(self):
        self.lock = threading.Lock()
        self.triggers = {}  # (rule, key) -> epoch seconds
        self.prev_default = {}  # policy arn -> the default version GetPolicy last answered
        self.replaced_default = {}  # policy arn -> the default a SetAsDefault replaced
        self.untold = set()  # (rule, key) triggered whose first request has not been refused yet
        self.account = DEFAULT_ACCOUNT

    def forget(self):
        with self.lock:
            self.triggers.clear()
            self.replaced_default.clear()
            self.untold.clear()

    def _young(self, rule, key, now, window):
        with self.lock:
            t0 = self.triggers.get((rule, key))
        return t0 is not None and now - t0 < window

    def _first(self, rule, key, now):
        with self.lock:
            return self.triggers.setdefault((rule, key), now)

    def _mark(self, rule, key, now):
        with self.lock:
            self.triggers[(rule, key)] = now
            self.untold.add((rule, key))

    def _young_or_untold(self, rule, key, now, window):
        """Within the window, or the first request since the trigger (told now)."""
        with self.lock:
            untold = (rule, key) in self.untold
            self.untold.discard((rule, key))
        return self._young(rule, key, now, window) or untold

    def refuse(self, service, operation, form, doc, region, now, window, rules):
        """(status, code, message, rule) of the answer AWS would give instead, or None."""
        on = set(rules) if rules else set(RULES)
        young = (lambda rule, key: rule in on and window > 0 and self._young(rule, key, now, window))
        arn = (lambda kid: f"arn:aws:kms:{region}:{self.account}:key/{kid}")
        doc = doc if isinstance(doc, dict) else {}
        if service == "ecs":
            if operation == "CreateCluster":
                t0 = self._first("ecs-slr", "", now)
                if "ecs-slr" in on and now - t0 < window:
                    return 400, "InvalidParameterException", ("Unable to assume the service linked role. Please "
                                                              "verify that the ECS service linked role exists."), "ecs-slr"
            if operation in ("CreateService", "UpdateService"):
                if young("ecs-slr", ""):
                    return 400, "InvalidParameterException", ("Unable to assume the service linked role. Please "
                                                              "verify that the ECS service linked role exists."), "ecs-slr"
                for lb in doc.get("loadBalancers") or []:
                    tg = lb.get("targetGroupArn") if isinstance(lb, dict) else None
                    if tg and young("listener", tg):
                        return 400, "InvalidParameterException", (f"The target group with targetGroupArn {tg} does "
                                                                  "not have an associated load balancer."), "listener"
            if operation == "DeleteService" and young("ecs-deployments", doc.get("service")):
                return 400, "InvalidParameterException", ("The service cannot be stopped while deployments are "
                                                          "active."), "ecs-deployments"
        elif service == "application-autoscaling":
            if operation == "DeleteScalingPolicy":
                self._first("aas-slr", "", now)
            if operation in ("PutScalingPolicy", "DescribeScalingPolicies", "DeleteScalingPolicy") and \
                    young("aas-slr", ""):
                role = (f"arn:aws:sts::{self.account}:assumed-role/AWSServiceRoleForApplicationAutoScaling_ECSService"
                        "/AutoScaling-ApplicationAutoScaling")
                what = doc.get("PolicyName") or "the service"
                return 400, "FailedResourceAccessException", (f"Unable to retrieve alarms for scaling policy {what} "
                                                              f"due to reason: User: {role} is not authorized to "
                                                              "perform: cloudwatch:DescribeAlarms"), "aas-slr"
        elif service == "kms" and operation in KMS_KEY_CALLS:
            kid = key_id(doc.get("KeyId") or doc.get("TargetKeyId"))
            if kid and young("kms-create", kid):
                return 400, "NotFoundException", f"Key '{arn(kid)}' does not exist", "kms-create"
            if kid and operation in ("EnableKey",) + KMS_SETTINGS and young("kms-cancel", kid):
                return 400, "KMSInvalidStateException", f"{arn(kid)} is pending deletion.", "kms-cancel"
            if kid and operation in KMS_SETTINGS and young("kms-enable", kid):
                return 400, "DisabledException", f"{arn(kid)} is disabled.", "kms-enable"
        elif service == "iam":
            role = form.get("RoleName")
            if role and operation in ("GetRole", "PutRolePolicy", "TagRole", "AttachRolePolicy",
                                      "UpdateAssumeRolePolicy") and young("iam-role", role):
                return 404, "NoSuchEntity", f"The role with name {role} cannot be found.", "iam-role"
            if operation == "DeletePolicy" and young("iam-detach", form.get("PolicyArn")):
                return 409, "DeleteConflict", "Cannot delete a policy attached to entities.", "iam-detach"
            detached = "iam-detach" in on and window > 0 and self._young("iam-detach-role", role, now, window)
            if operation == "DeleteRole" and detached:
                return 409, "DeleteConflict", "Cannot delete entity, must remove policies first.", "iam-detach"
            if operation == "DeletePolicyVersion":
                policy = form.get("PolicyArn")
                with self.lock:
                    replaced = self.replaced_default.get(policy)
                if replaced and replaced == form.get("VersionId") and "iam-detach" in on and window > 0 and \
                        self._young("iam-default", policy, now, window):
                    return 409, "DeleteConflict", "Cannot delete the default version of a policy.", "iam-detach"
        elif service == "logs" and operation in ("PutRetentionPolicy", "TagLogGroup", "TagResource"):
            name = doc.get("logGroupName")
            if not name and ":log-group:" in (doc.get("resourceArn") or ""):
                name = doc["resourceArn"].split(":log-group:", 1)[1].split(":", 1)[0]
            if name and young("logs", name):
                return 400, "ResourceNotFoundException", "The specified log group does not exist.", "logs"
        elif service == "elasticloadbalancing":
            if operation in ("CreateListener", "ModifyListener"):
                for name, value in form.items():
                    if re.match(r"^Certificates\.member\.\d+\.CertificateArn$", name):
                        t0 = self._first("certificate", value, now)
                        if "certificate" in on and now - t0 < window:
                            return 400, "CertificateNotFound", f"Certificate '{value}' not found", "certificate"
            if operation in ("ModifyTargetGroupAttributes", "AddTags", "CreateListener", "ModifyListener"):
                for name, value in form.items():
                    if (name == "TargetGroupArn" or name.endswith(".TargetGroupArn") or
                            name.startswith("ResourceArns.member.")) and young("target-group", value):
                        return 400, "TargetGroupNotFound", "One or more target groups not found", "target-group"
        elif service == "ec2":
            if operation == "DeleteSecurityGroup" and young("eni-linger", ""):
                return 400, "DependencyViolation", f"resource {form.get('GroupId')} has a dependent object", \
                    "eni-linger"
            if operation == "DeleteSubnet" and young("eni-linger", ""):
                return 400, "DependencyViolation", (f"The subnet '{form.get('SubnetId')}' has dependencies and "
                                                    "cannot be deleted."), "eni-linger"
        return None

    def answer_instead(self, service, operation, doc, now, window, rules):
        """(rule, JSON body) of a 200 answer AWS would give instead of acting, or None."""
        on = set(rules) if rules else set(RULES)
        if service != "ecs" or operation != "DeleteTaskDefinitions" or "ecs-deregister" not in on or window <= 0:
            return None
        named = [a for a in (doc.get("taskDefinitions") or []) if isinstance(a, str)] if isinstance(doc, dict) else []
        if not [a for a in named if self._young_or_untold("ecs-deregister", a, now, window)]:
            return None
        failures = [{"arn": a, "reason": "TASK_DEFINITION_NOT_INACTIVE",
                     "detail": "The task definition must be INACTIVE before it can be deleted."} for a in named]
        return "ecs-deregister", json.dumps({"taskDefinitions": [], "failures": failures})

    def observe(self, service, operation, form, doc, text, now):
        """Records the triggers of a request AWS acted on (a 200 answer, its text)."""
        doc = doc if isinstance(doc, dict) else {}
        if service == "sts" and operation == "GetCallerIdentity":
            m = re.search(r"<Account>\s*(\d{12})\s*</Account>", text)
            if m:
                self.account = m.group(1)
        elif service == "application-autoscaling" and operation == "RegisterScalableTarget":
            self._first("aas-slr", "", now)
        elif service == "ecs" and operation in ("CreateService", "UpdateService"):
            self._mark("ecs-deployments", doc.get("serviceName") or doc.get("service"), now)
        elif service == "ecs" and operation == "DeleteService":
            self._mark("eni-linger", "", now)
        elif service == "ecs" and operation == "DeregisterTaskDefinition":
            self._mark("ecs-deregister", doc.get("taskDefinition"), now)
        elif service == "elasticloadbalancing":
            if operation in ("CreateListener", "ModifyListener"):
                for name, value in form.items():
                    if name.endswith(".TargetGroupArn"):
                        self._mark("listener", value, now)
            elif operation == "CreateTargetGroup":
                for value in re.findall(r"<TargetGroupArn>\s*([^<\s]+)\s*</TargetGroupArn>", text):
                    self._mark("target-group", value, now)
            elif operation == "DeleteLoadBalancer":
                self._mark("eni-linger", "", now)
        elif service == "kms":
            if operation == "CreateKey":
                try:
                    kid = json.loads(text)["KeyMetadata"]["KeyId"]
                except (ValueError, KeyError, TypeError):
                    kid = None
                if kid:
                    self._mark("kms-create", kid, now)
            elif operation == "CancelKeyDeletion":
                self._mark("kms-cancel", key_id(doc.get("KeyId")), now)
            elif operation == "EnableKey":
                self._mark("kms-enable", key_id(doc.get("KeyId")), now)
        elif service == "iam":
            if operation == "CreateRole":
                self._mark("iam-role", form.get("RoleName"), now)
            elif operation in ("DetachRolePolicy", "DetachUserPolicy", "DetachGroupPolicy"):
                self._mark("iam-detach", form.get("PolicyArn"), now)
            if operation in ("DetachRolePolicy", "DeleteRolePolicy"):
                self._mark("iam-detach-role", form.get("RoleName"), now)
            elif operation == "GetPolicy":
                m = re.search(r"<DefaultVersionId>\s*([^<\s]+)\s*</DefaultVersionId>", text)
                if m:
                    with self.lock:
                        self.prev_default[form.get("PolicyArn")] = m.group(1)
            elif operation == "CreatePolicyVersion" and form.get("SetAsDefault") == "true":
                policy = form.get("PolicyArn")
                with self.lock:
                    self.replaced_default[policy] = self.prev_default.get(policy)
                self._mark("iam-default", policy, now)
        elif service == "logs" and operation == "CreateLogGroup":
            self._mark("logs", doc.get("logGroupName"), now)
