"""ECS rollouts, for count_proxy.py's --rollout mode.

moto never starts a task: its services report whatever MOTO_ECS_SERVICE_RUNNING
says, their target groups no target, and a task definition whose image is
not in the repository starts as well as any other. On AWS a new deployment
reads IN_PROGRESS while its tasks start and pass the load balancer's health
checks, then COMPLETED; when its image cannot be pulled, its tasks stop
(CannotPullContainerError), the circuit breaker marks it FAILED and ECS
stops launching tasks. This module tracks the deployments that CreateService
and UpdateService start (a new task definition, a new network or load
balancer, forceNewDeployment) and rewrites the answers that describe them:

  DescribeServices     the service's deployments are its primary one:
                       IN_PROGRESS (0 running, desired pending) for `window`
                       seconds after it started, then COMPLETED (desired
                       running) when its image was in its repository when it
                       started, FAILED (0 running, desired failed tasks, an
                       event saying so) when not; runningCount and
                       pendingCount follow.
  DescribeTargetHealth the service's target group: `initial` targets while
                       the deployment is in progress, desired `healthy` ones
                       once it completed, none after a failure.
  ListTasks            desiredStatus STOPPED of a failed deployment's service:
                       its stopped tasks added.
  DescribeTasks        those tasks: STOPPED, stopCode TaskFailedToStart,
                       stoppedReason CannotPullContainerError naming the image.

Whether the image is there is asked of moto itself (DescribeTaskDefinition,
then ECR DescribeImages) when the deployment starts: a forced new
deployment after the image was pushed completes. A deployment started
while `crash` is set fails too, its tasks stopped with "Essential container
in task exited" (an application that exits at start), until one starts
without it.
"""
import json
import re
import threading
import uuid


def name_of(value):
    """The last part of a name or an ARN ("arn:...:service/cluster/svc" -> "svc")."""
    return (value or "").rsplit("/", 1)[-1]


class Rollouts:
    def __init__(self, ask):
        # ask(service, target, body) -> the answer as a dict, or None: a request of the proxy's own to moto
        self.ask = ask
        self.lock = threading.Lock()
        self.services = {}  # service name -> {"deployments": [...], "tg": arn, "cluster": name}
        self.stopped = {}  # fabricated task arn -> (service name, deployment)

    def _image_present(self, task_definition):
        answer = self.ask("ecs", "AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition",
                          {"taskDefinition": task_definition})
        try:
            image = answer["taskDefinition"]["containerDefinitions"][0]["image"]
        except (TypeError, KeyError, IndexError):
            return True, ""
        m = re.match(r"^[^/]+\.dkr\.ecr\.[^/]+\.amazonaws\.com(?:\.cn)?/([^:@]+):(.+)$", image)
        if not m:
            return True, image  # not an ECR image: not ours to judge
        found = self.ask("ecr", "AmazonEC2ContainerRegistry_V20150921.DescribeImages",
                         {"repositoryName": m.group(1), "imageIds": [{"imageTag": m.group(2)}]})
        return bool(found and found.get("imageDetails")), image

    def observe(self, operation, doc, text, now, crash=False):
        """Records the deployment a 200 CreateService / UpdateService started (crash: its tasks exit at start)."""
        try:
            service = json.loads(text).get("service") or {}
        except ValueError:
            return
        name = service.get("serviceName") or name_of(doc.get("service"))
        if not name:
            return
        with self.lock:
            known = self.services.get(name)
        td = service.get("taskDefinition") or doc.get("taskDefinition")
        if operation == "UpdateService" and known:
            current = known["deployments"][-1]
            starts = (doc.get("forceNewDeployment") or (td and td != current["td"]) or
                      "networkConfiguration" in doc or "loadBalancers" in doc)
            if not starts:
                return
        ok, image = self._image_present(td)
        deployment = {"id": f"ecs-svc/{uuid.uuid4().int % 10 ** 19:019d}", "start": now, "td": td,
                      "ok": ok and not crash, "image": image, "crash": ok and crash}
        lbs = service.get("loadBalancers") or doc.get("loadBalancers") or []
        with self.lock:
            entry = self.services.setdefault(name, {"deployments": [], "tg": None, "cluster": None})
            entry["deployments"].append(deployment)
            entry["cluster"] = name_of(service.get("clusterArn") or doc.get("cluster"))
            if lbs and isinstance(lbs[0], dict):
                entry["tg"] = lbs[0].get("targetGroupArn")

    def _state(self, deployment, now, window):
        if now - deployment["start"] < window:
            return "IN_PROGRESS"
        return "COMPLETED" if deployment["ok"] else "FAILED"

    def describe_services(self, text, now, window):
        """The DescribeServices answer with its tracked services' rollouts; None when none is tracked."""
        try:
            answer = json.loads(text)
        except ValueError:
            return None
        changed = False
        for s in answer.get("services") or []:
            with self.lock:
                entry = self.services.get(s.get("serviceName"))
                d = dict(entry["deployments"][-1]) if entry else None
            if not d:
                continue
            changed = True
            desired = int(s.get("desiredCount") or 0)
            state = self._state(d, now, window)
            running = desired if state == "COMPLETED" else 0
            pending = desired if state == "IN_PROGRESS" else 0
            failed = desired if state == "FAILED" else 0
            reason = {"IN_PROGRESS": f"ECS deployment {d['id']} in progress.",
                      "COMPLETED": f"ECS deployment {d['id']} completed.",
                      "FAILED": f"ECS deployment circuit breaker: tasks failed to start."}[state]
            stamp = d["start"] + (window if state != "IN_PROGRESS" else 0)
            s["deployments"] = [{"id": d["id"], "status": "PRIMARY", "taskDefinition": d["td"],
                                 "desiredCount": desired, "pendingCount": pending, "runningCount": running,
                                 "failedTasks": failed, "rolloutState": state, "rolloutStateReason": reason,
                                 "launchType": "FARGATE", "createdAt": d["start"], "updatedAt": stamp}]
            s["runningCount"], s["pendingCount"] = running, pending
            events = [e for e in (s.get("events") or []) if not str(e.get("id", "")).startswith("proxy-")]
            if state == "COMPLETED":
                events.insert(0, {"id": f"proxy-{d['id']}-done", "createdAt": stamp,
                                  "message": f"(service {s.get('serviceName')}) has reached a steady state."})
            elif state == "FAILED":
                events.insert(0, {"id": f"proxy-{d['id']}-failed", "createdAt": stamp,
                                  "message": f"(service {s.get('serviceName')}) (deployment {d['id']}) deployment "
                                             "failed: tasks failed to start."})
            s["events"] = events
        return json.dumps(answer) if changed else None

    def target_health(self, target_group, text, now, window):
        """The DescribeTargetHealth answer (XML) of a tracked service's target group; None otherwise."""
        with self.lock:
            found = [(n, e) for n, e in self.services.items() if e["tg"] == target_group and e["deployments"]]
            d = dict(found[0][1]["deployments"][-1]) if found else None
            desired = found[0][1].get("desired", 0) if found else 0
        if not d:
            return None
        desired = desired or 2
        state = self._state(d, now, window)
        health = {"IN_PROGRESS": "initial", "COMPLETED": "healthy", "FAILED": None}[state]
        members = "" if not health else "".join(
            f"<member><Target><Id>10.0.{10 + i}.{20 + i}</Id><Port>8080</Port></Target><HealthCheckPort>8080"
            f"</HealthCheckPort><TargetHealth><State>{health}</State></TargetHealth></member>" for i in range(desired))
        new = re.sub(r"<TargetHealthDescriptions\s*/>|<TargetHealthDescriptions>.*?</TargetHealthDescriptions>",
                     f"<TargetHealthDescriptions>{members}</TargetHealthDescriptions>", text, count=1, flags=re.S)
        return new

    def remember_desired(self, text):
        """Keeps each tracked service's desired count from a DescribeServices answer (for its targets)."""
        try:
            services = json.loads(text).get("services") or []
        except ValueError:
            return
        with self.lock:
            for s in services:
                entry = self.services.get(s.get("serviceName"))
                if entry:
                    entry["desired"] = int(s.get("desiredCount") or 0)

    def list_tasks(self, doc, text, now, window):
        """ListTasks of STOPPED tasks of a service whose deployment failed: its stopped tasks added."""
        if doc.get("desiredStatus") != "STOPPED" or not doc.get("serviceName"):
            return None
        name = name_of(doc.get("serviceName"))
        with self.lock:
            entry = self.services.get(name)
            d = entry["deployments"][-1] if entry else None
        if not d or self._state(d, now, window) != "FAILED":
            return None
        try:
            answer = json.loads(text)
        except ValueError:
            return None
        with self.lock:
            arns = [a for a, (n, dep) in self.stopped.items() if n == name and dep is d]
            if not arns:
                for _ in range(2):
                    arn = f"arn:aws:ecs:us-east-1:123456789012:task/{entry['cluster']}/{uuid.uuid4().hex}"
                    self.stopped[arn] = (name, d)
                    arns.append(arn)
        answer["taskArns"] = list(answer.get("taskArns") or []) + arns
        return json.dumps(answer)

    def describe_tasks(self, doc, text):
        """DescribeTasks naming stopped tasks of the proxy's: they are described, not missing."""
        with self.lock:
            ours = {a: self.stopped[a] for a in (doc.get("tasks") or []) if a in self.stopped}
        if not ours:
            return None
        try:
            answer = json.loads(text)
        except ValueError:
            return None
        answer["failures"] = [f for f in (answer.get("failures") or []) if f.get("arn") not in ours]
        tasks = list(answer.get("tasks") or [])
        for arn, (name, d) in ours.items():
            reason = (f"CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve "
                      f"ref {d['image']}: {d['image']}: not found")
            if d.get("crash"):
                reason = "Essential container in task exited"
            tasks.append({"taskArn": arn, "lastStatus": "STOPPED", "desiredStatus": "STOPPED",
                          "stopCode": "TaskFailedToStart", "stoppedReason": reason, "taskDefinitionArn": d["td"],
                          "startedBy": d["id"], "group": f"service:{name}",
                          "containers": [{"name": "api", "lastStatus": "STOPPED", "reason": reason}]})
        answer["tasks"] = tasks
        return json.dumps(answer)
