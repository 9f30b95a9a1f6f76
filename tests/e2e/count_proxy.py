#!/usr/bin/env python3
"""A counting, fault-injecting proxy between stackhost and moto's server.

Forwards every request and appends one line per request to a log file:
"<signing service> <operation>", read from the SigV4 credential scope and
the query Action or the JSON X-Amz-Target. Prints its port on stdout.
With no fault option (the default) every request is forwarded unchanged.

--latency-ms N   waits N ms before forwarding each request, in that
                 request's own thread, so concurrent requests overlap as
                 they would against a distant endpoint.
--json-log FILE  also appends one JSON object per request: service,
                 operation, start, end (epoch seconds around the whole
                 handling, latency included), status (null when the
                 connection was dropped), port (the client's side of the
                 connection) and fault (null or the fault injected:
                 "throttle", "error", "drop-before", "drop-after",
                 "unknown-id", "nat-pending", "alb-provisioning",
                 "mapped-addresses", "nat-failed", "zone-impaired"); "lease":
                 true on the requests of stackhost's lease (no stack resource).
                 A drop-after line also has upstream_status, moto's
                 status for the request it made.

Faults (what AWS does and moto does not, see aws-api.md sections 2 and 13);
never applied to /moto-api/ paths:

--seed N            every random choice comes from random.Random(N): one
                    draw per AWS request, in arrival order, so a run with a
                    sequential client replays exactly with the same seed
                    (concurrent requests draw in whatever order they
                    arrive). Default: a random seed, readable with GET
                    /__proxy/settings (lib.sh puts it in $proxy_seed).
--throttle P        with probability P answers a throttling error without
                    forwarding: EC2 503 RequestLimitExceeded; JSON
                    protocols (X-Amz-Target) 400 ThrottlingException;
                    other query APIs 400 Throttling (Type Sender).
--errors P          with probability P answers 500 InternalError or 503
                    ServiceUnavailable (even odds) in the protocol's shape,
                    without forwarding.
--drop-before P     with probability P closes the connection without
                    forwarding or answering (the request never reached AWS).
--drop-after P      with probability P forwards the request (it happens),
                    then closes the connection without answering.
                    The four probabilities share the single draw of a
                    request: [0, P1) drop-before, [P1, P1+P2) throttle, then
                    errors, then drop-after; their sum should stay <= 1.
--unknown-ids S     EC2 eventual consistency: the ids made by an EC2
                    Create*/Allocate*/Associate* answer (vpcId of CreateVpc,
                    groupId of CreateSecurityGroup, allocationId of
                    AllocateAddress, associationId of AssociateRouteTable,
                    <thing>Id of Create<Thing>) are unknown for S seconds
                    after the answer: an EC2 request naming one in its
                    parameters gets, without forwarding, 400 with the EC2
                    NotFound code of the id's prefix (vpc- InvalidVpcID.NotFound,
                    subnet-, igw-, eipalloc-, nat- NatGatewayNotFound, rtb-,
                    sg- InvalidGroup.NotFound, rtbassoc-, ... see NOT_FOUND).
                    A Describe* naming young ids only in Filter.N.Value.M
                    is forwarded, and the answer's top-level items that
                    carry one of those ids are removed (a filtered list
                    omits what it does not know yet). Tag keys and values
                    (TagSpecification.*, Tag.N.*) never count as naming an
                    id. Ids are remembered whatever the setting, so turning
                    this on later applies to ids made earlier.
--nat-pending S     provisioning: in DescribeNatGateways and CreateNatGateway
                    answers, a NAT gateway younger than S seconds (from the
                    earlier of its createTime and its first sighting by the
                    proxy) reads <state>pending</state> instead of available
                    (moto's createTime has whole seconds: up to 1 s early).
--alb-provisioning S
                    provisioning: in ELBv2 DescribeLoadBalancers and
                    CreateLoadBalancer answers, a load balancer younger than
                    S seconds (from the earlier of its CreatedTime and its
                    first sighting by the proxy, by its arn) reads
                    <State><Code>provisioning</Code></State> instead of
                    active, as a new application load balancer does on AWS
                    for a minute or more (its listeners and target groups
                    can be made meanwhile). Every load balancer of an answer
                    counts; moto itself answers active from the first
                    Describe on. Load balancers are remembered whatever the
                    setting.
--mapped-addresses S
                    an internet gateway's detach answers 400
                    DependencyViolation ("has some mapped public
                    address(es)") for S seconds from its first attempt, as
                    AWS does while addresses of the VPC are still released.
--nat-failed N      the next N CreateNatGateway requests are not forwarded:
                    the proxy answers a gateway of its own (its tags, subnet
                    and address as asked) that DescribeNatGateways then lists
                    as failed, as AWS does for a gateway that could not be
                    made; a DeleteNatGateway of it answers deleting and it
                    reads deleted from then on.
--zones-impaired A,B
                    in DescribeAvailabilityZones answers these zones (by name)
                    read <zoneState>impaired</zoneState>: a deploy must not
                    pick them.
--propagation S     AWS's propagation answers (proxy_propagation.py lists the
                    rules): after each trigger (the first CreateCluster, a
                    CreateRole, a CreateListener, a CancelKeyDeletion, ...)
                    the requests AWS would refuse for a while get, for S
                    seconds and without forwarding, AWS's code, HTTP status
                    and message in the request's protocol. JSON log fault:
                    "propagation:<rule>".
--propagation-rules A,B
                    only these rules (default: all).
--rollouts          ECS rollouts (proxy_rollouts.py): the deployments that
                    CreateService / UpdateService start read IN_PROGRESS for
                    --rollout seconds, then COMPLETED with healthy targets, or
                    FAILED with stopped tasks (CannotPullContainerError) when
                    the image was not in its repository when the deployment
                    started; DescribeServices, DescribeTargetHealth, ListTasks
                    and DescribeTasks answers say so. JSON log fault:
                    "rollout".
--rollout S         how long a deployment is in progress (default 0).
--rollout-crash     deployments started while it is set fail, their tasks
                    exiting at start ("Essential container in task exited").
--push-tag TAG      as soon as an ECR CreateRepository succeeds, an image with
                    this tag is put in the new repository (a pipeline that
                    pushes once the repository exists): a first deploy then
                    rolls its service out. Empty: off (the default).
--fail OP=CODE:MESSAGE
                    every request of operation OP gets 400 CODE with MESSAGE
                    in its protocol, without forwarding (a genuine refusal,
                    e.g. CreateService=InvalidParameterException:...). JSON
                    log fault: "refused".
--lose OP          the next request of operation OP (but stackhost's lease's)
                    is forwarded and its answer lost (the connection closed
                    once upstream answered), once: the setting then empties.
                    A deterministic drop-after. JSON log fault: "drop-after".
--echo OP          every request of operation OP (but stackhost's lease's)
                    gets 400 with its own body as
                    plain text, without forwarding (an endpoint that echoes
                    the request, as a misbehaving proxy or gateway does).
                    JSON log fault: "echo".
--client-tokens     EC2 idempotency, which moto lacks: a Create* repeating
                    the ClientToken of an earlier successful one (same
                    action) is not forwarded; it gets the earlier answer
                    again (as AWS does), or 400 IdempotentParameterMismatch
                    if its other parameters differ. Its JSON log line has
                    "replayed": true. Without it a retry after a drop-after
                    makes a second NAT gateway or route table on moto.

Control interface (not logged, never forwarded, no fault):
  GET  /__proxy/settings  answers the settings as a JSON object:
       {"seed", "throttle", "errors", "drop_before", "drop_after",
        "unknown_ids", "nat_pending", "alb_provisioning", "mapped_addresses", "nat_failed",
        "zones_impaired", "latency_ms", "client_tokens", "propagation", "propagation_rules", "fail", "rollouts", "rollout",
        "rollout_crash", "push_tag", "echo", "lose"}
  POST /__proxy/settings  with a JSON object of some of those keys (dashes
       accepted for underscores) changes them for the requests that arrive
       afterwards and answers the full settings; a "seed" restarts the
       random sequence from that seed; "propagation_forget": true forgets
       every propagation trigger (an account's first use happens again). Bad keys or values: 400, nothing
       changed. lib.sh: proxy_set '{"throttle": 0}', proxy_settings.
"""
import argparse
import datetime
import http.server
import json
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import proxy_propagation
import proxy_rollouts

PROBABILITIES = ("drop_before", "throttle", "errors", "drop_after")  # the order of their bands in a draw
SECONDS = ("unknown_ids", "nat_pending", "alb_provisioning", "mapped_addresses", "nat_failed", "latency_ms",
           "propagation", "rollout")
FLAGS = ("client_tokens", "rollouts", "rollout_crash")
TEXTS = ("zones_impaired", "propagation_rules", "fail", "push_tag", "echo", "lose")


def probability(text):
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text}: a probability is between 0 and 1")
    return value


def seconds(text):
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text}: must not be negative")
    return value


parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("upstream", metavar="UPSTREAM_URL")
parser.add_argument("log", metavar="LOG_FILE")
parser.add_argument("--latency-ms", type=seconds, default=0.0, metavar="N")
parser.add_argument("--json-log", metavar="FILE")
parser.add_argument("--seed", type=int, metavar="N")
parser.add_argument("--throttle", type=probability, default=0.0, metavar="P")
parser.add_argument("--errors", type=probability, default=0.0, metavar="P")
parser.add_argument("--drop-before", type=probability, default=0.0, metavar="P")
parser.add_argument("--drop-after", type=probability, default=0.0, metavar="P")
parser.add_argument("--unknown-ids", type=seconds, default=0.0, metavar="SECONDS")
parser.add_argument("--nat-pending", type=seconds, default=0.0, metavar="SECONDS")
parser.add_argument("--alb-provisioning", type=seconds, default=0.0, metavar="SECONDS")
parser.add_argument("--mapped-addresses", type=seconds, default=0.0, metavar="SECONDS")
parser.add_argument("--nat-failed", type=seconds, default=0.0, metavar="N")
parser.add_argument("--zones-impaired", default="", metavar="A,B")
parser.add_argument("--client-tokens", action="store_true")
parser.add_argument("--propagation", type=seconds, default=0.0, metavar="SECONDS")
parser.add_argument("--propagation-rules", default="", metavar="A,B")
parser.add_argument("--fail", default="", metavar="OP=CODE:MESSAGE")
parser.add_argument("--echo", default="", metavar="OP")
parser.add_argument("--lose", default="", metavar="OP")
parser.add_argument("--rollouts", action="store_true")
parser.add_argument("--rollout", type=seconds, default=0.0, metavar="SECONDS")
parser.add_argument("--rollout-crash", action="store_true")
parser.add_argument("--push-tag", default="", metavar="TAG")
ARGS = parser.parse_args()
LOCK = threading.Lock()  # the log files, the settings, the random generators, the id memory
HOP = {"host", "content-length", "connection", "keep-alive", "accept-encoding", "transfer-encoding", "expect",
       "te", "trailer", "upgrade", "proxy-connection"}

SETTINGS = {name: getattr(ARGS, name) for name in PROBABILITIES + SECONDS + TEXTS + FLAGS}
PROPAGATION = proxy_propagation.Propagation()


def ask_moto(service, target, body):
    """A request of the proxy's own to moto (which reads the service from the credential scope and checks no
    signature): the answer as a dict, or None."""
    request = urllib.request.Request(ARGS.upstream + "/", data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target,
        "Authorization": f"AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{service}/aws4_request, "
                         "SignedHeaders=host, Signature=0"})
    try:
        with UPSTREAM.open(request, timeout=30) as answer:
            return json.loads(answer.read())
    except (OSError, ValueError):
        return None


ROLLOUTS = proxy_rollouts.Rollouts(ask_moto)
# An image manifest with no layers (nothing pulls it here), as lib.sh's e2e_push_image puts.
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                       "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
                                  "digest": "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},
                       "layers": []})


def rules_of(text):
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in proxy_propagation.RULES]
    if unknown:
        raise argparse.ArgumentTypeError(f"{', '.join(unknown)}: not a propagation rule "
                                         f"({', '.join(proxy_propagation.RULES)})")
    return names


def fail_of(text):
    """{operation: (code, message)} of a --fail text."""
    if not text:
        return {}
    op, sep, rest = text.partition("=")
    code, sep2, message = rest.partition(":")
    if not (op and sep and code and sep2):
        raise argparse.ArgumentTypeError(f"{text}: OP=CODE:MESSAGE")
    return {op: (code, message)}


# each text setting: what it holds (for a refusal), and its check
TEXT_FORMS = {"zones_impaired": ("zone names, comma-separated", str),
              "propagation_rules": ("rule names, comma-separated", rules_of),
              "push_tag": ("an image tag, or empty", str),
              "fail": ("OP=CODE:MESSAGE, or empty", fail_of),
              "echo": ("an operation, or empty", str),
              "lose": ("an operation, or empty", str)}
assert set(TEXT_FORMS) == set(TEXTS)
rules_of(ARGS.propagation_rules)
fail_of(ARGS.fail)
SETTINGS["seed"] = ARGS.seed if ARGS.seed is not None else random.SystemRandom().randrange(2 ** 32)
FAULTS = random.Random(SETTINGS["seed"])  # one draw per AWS request
IDS = random.Random(SETTINGS["seed"])  # request ids: deterministic too, without moving the fault draws


def reseed(seed):
    FAULTS.seed(seed)
    IDS.seed(seed)


def request_id():
    with LOCK:
        return str(uuid.UUID(int=IDS.getrandbits(128), version=4))


class Verbatim(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None  # a redirect is the client's to follow


# No HTTP_PROXY from the environment, no redirects followed.
UPSTREAM = urllib.request.build_opener(urllib.request.ProxyHandler({}), Verbatim)


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128  # not 5: a burst of connections must not wait for SYN retries


def append(path, line):
    # Opened per line so that a test can truncate the file between steps.
    with LOCK, open(path, "a") as log:
        log.write(line + "\n")


# --- error documents, in each protocol's shape (aws-api.md section 2)

def error_answer(protocol, status, code, message, kind, content_type):
    """(status, body, headers) of an AWS error. protocol: "ec2", "json" or "query"; kind: Sender or Receiver."""
    rid = request_id()
    headers = {"x-amzn-RequestId": rid}
    if protocol == "json":
        headers["Content-Type"] = content_type
        body = json.dumps({"__type": code, "message": message}, separators=(",", ":")).encode()
        return status, body, headers
    headers["Content-Type"] = "text/xml"
    if protocol == "ec2":
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
                f"<Message>{message}</Message></Error></Errors><RequestID>{rid}</RequestID></Response>")
    else:
        body = (f'<ErrorResponse xmlns="http://webservices.amazon.com/AWSFault/2005-15-09"><Error><Type>{kind}</Type>'
                f"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>")
    return status, body.encode(), headers


# (status, code, message, Sender/Receiver) per protocol
THROTTLE = {"ec2": (503, "RequestLimitExceeded", "Request limit exceeded.", "Sender"),
            "json": (400, "ThrottlingException", "Rate exceeded", "Sender"),
            "query": (400, "Throttling", "Rate exceeded", "Sender")}
ERRORS = [(500, "InternalError", "We encountered an internal error. Please try again.", "Receiver"),
          (503, "ServiceUnavailable", "The service is unavailable. Please try again shortly.", "Receiver")]

# id prefix -> (NotFound code, kind in "The <kind> ID '<id>' does not exist")
NOT_FOUND = {"vpc": ("InvalidVpcID.NotFound", "vpc"),
             "subnet": ("InvalidSubnetID.NotFound", "subnet"),
             "igw": ("InvalidInternetGatewayID.NotFound", "internetGateway"),
             "eipalloc": ("InvalidAllocationID.NotFound", "allocation"),
             "nat": ("NatGatewayNotFound", "natGateway"),
             "rtb": ("InvalidRouteTableID.NotFound", "routeTable"),
             "sg": ("InvalidGroup.NotFound", "security group"),
             "rtbassoc": ("InvalidAssociationID.NotFound", "association"),
             "eipassoc": ("InvalidAssociationID.NotFound", "association"),
             "eni": ("InvalidNetworkInterfaceID.NotFound", "networkInterface"),
             "acl": ("InvalidNetworkAclID.NotFound", "networkAcl"),
             "dopt": ("InvalidDhcpOptionID.NotFound", "dhcpOption"),
             "vpce": ("InvalidVpcEndpointId.NotFound", "vpcEndpoint"),
             "pcx": ("InvalidVpcPeeringConnectionID.NotFound", "vpcPeeringConnection"),
             "sgr": ("InvalidSecurityGroupRuleId.NotFound", "security group rule"),
             "i": ("InvalidInstanceID.NotFound", "instance")}
ID_VALUE = re.compile(r"^([a-z]+)-[0-9a-f]{8,17}$")
# The element holding the made id, where it is not <thing>Id of Create<Thing>.
MADE_ID = {"AllocateAddress": "allocationId", "CreateSecurityGroup": "groupId",
           "AssociateRouteTable": "associationId", "AssociateAddress": "associationId",
           "RunInstances": "instanceId"}
NOT_A_REFERENCE = re.compile(r"^(Action|Version|ClientToken|Description|GroupDescription|DryRun|NextToken"
                             r"|TagSpecification\..*|Tag\.\d+\.(Key|Value))$")
FILTER_VALUE = re.compile(r"^Filter\.\d+\.Value\.\d+$")

MADE = {}  # id -> epoch seconds of the answer that made it
NAT_BIRTH = {}  # NAT gateway id -> epoch seconds: the earlier of createTime and its first sighting
ALB_BIRTH = {}  # load balancer arn -> epoch seconds: the earlier of CreatedTime and its first sighting
TOKENS = {}  # (EC2 action, ClientToken) -> (parameters, the successful answer)
DETACH_FIRST = {}  # internet gateway id -> epoch seconds of its first DetachInternetGateway
FAILED_NATS = {}  # the proxy's own failed NAT gateways: id -> {"subnet", "allocation", "tags", "state", "vpc"}


# --- a small XML scanner that leaves the document byte for byte as moto wrote it

TAG = re.compile(r"<\?.*?\?>|<!--.*?-->|<(/?)([A-Za-z_][\w.:-]*)[^>]*?(/?)>", re.S)


def elements(text):
    """[(name, depth, start, end, inner_start, inner_end)] of every element; the root has depth 0."""
    found, stack = [], []
    for m in TAG.finditer(text):
        if m.group(2) is None:
            continue
        if m.group(1):
            if not stack:
                break
            name, start, inner = stack.pop()
            found.append((name, len(stack), start, m.end(), inner, m.start()))
        elif m.group(3):
            found.append((m.group(2), len(stack), m.start(), m.end(), m.end(), m.end()))
        else:
            stack.append((m.group(2), m.start(), m.end()))
    return found


def made_ids(action, text):
    name = MADE_ID.get(action) or (action[6].lower() + action[7:] + "Id" if action.startswith("Create") else None)
    if not name:
        return set()
    ids = set()
    for value in re.findall(rf"<{name}>\s*([^<\s]+)\s*</{name}>", text):
        match = ID_VALUE.match(value)
        if match and match.group(1) in NOT_FOUND:
            ids.add(value)
    return ids


def young(value, now, window):
    made = MADE.get(value)
    return made is not None and now - made < window


def strip_items(text, ids):
    """Removes the top-level list items (depth 2) that carry one of ids; returns (text, removed count)."""
    marks = [f">{i}<" for i in ids]
    spans = [(s, e) for name, depth, s, e, _, _ in elements(text)
             if name == "item" and depth == 2 and any(mark in text[s:e] for mark in marks)]
    for s, e in sorted(spans, reverse=True):
        text = text[:s] + text[e:]
    return text, len(spans)


def parse_time(value):
    try:
        when = datetime.datetime.strptime(value.strip()[:19], "%Y-%m-%dT%H:%M:%S")
        return when.replace(tzinfo=datetime.timezone.utc).timestamp()
    except ValueError:
        return None


def failed_nat_xml(nat, info):
    tags = "".join(f"<item><key>{k}</key><value>{v}</value></item>" for k, v in info["tags"])
    return (f"<natGatewayId>{nat}</natGatewayId><subnetId>{info['subnet']}</subnetId><vpcId>{info['vpc']}</vpcId>"
            f"<state>{info['state']}</state><failureCode>InsufficientFreeAddressesInSubnet</failureCode>"
            f"<failureMessage>Subnet has insufficient free addresses to create this NAT gateway</failureMessage>"
            f"<createTime>{info['created']}</createTime><natGatewayAddressSet><item><allocationId>"
            f"{info['allocation']}</allocationId></item></natGatewayAddressSet><tagSet>{tags}</tagSet>")


def make_failed_nat(params):
    """Answers a CreateNatGateway with a gateway of the proxy's own that will read failed."""
    p = dict(params)
    tags = []
    for key, value in params:
        m = re.match(r"^TagSpecification\.1\.Tag\.(\d+)\.Key$", key)
        if m:
            tags.append((value, p.get(f"TagSpecification.1.Tag.{m.group(1)}.Value", "")))
    info = {"subnet": p.get("SubnetId", ""), "allocation": p.get("AllocationId", ""), "tags": tags,
            "state": "failed", "vpc": "", "created": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())}
    with LOCK:
        nat = "nat-" + "".join(IDS.choice("0123456789abcdef") for _ in range(17))
        FAILED_NATS[nat] = info
    body = (f'<CreateNatGatewayResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>{request_id()}'
            f"</requestId><natGateway>{failed_nat_xml(nat, dict(info, state='pending'))}</natGateway>"
            f"</CreateNatGatewayResponse>")
    return 200, body.encode(), {"Content-Type": "text/xml"}


def list_failed_nats(text, params):
    """Adds the proxy's own gateways to a DescribeNatGateways answer (those it names, or all)."""
    wanted = {v for k, v in params if re.match(r"^NatGatewayId\.\d+$", k)}
    with LOCK:
        items = "".join(f"<item>{failed_nat_xml(nat, info)}</item>" for nat, info in FAILED_NATS.items()
                        if not wanted or nat in wanted)
    if not items:
        return text, False
    if "<natGatewaySet/>" in text:
        return text.replace("<natGatewaySet/>", f"<natGatewaySet>{items}</natGatewaySet>"), True
    return text.replace("<natGatewaySet>", f"<natGatewaySet>{items}", 1), True


def zones_impaired(text, names):
    """Turns the named zones' zoneState into impaired. Returns (text, changed)."""
    wanted = {n.strip() for n in names.split(",") if n.strip()}
    found = elements(text)
    edits = []
    for name, depth, start, end, _, _ in found:
        if (name, depth) != ("item", 2):
            continue
        children = {n: (i, j) for n, d, s, e, i, j in found if d == depth + 1 and start < s and e < end}
        if "zoneName" in children and "zoneState" in children and text[slice(*children["zoneName"])].strip() in wanted:
            edits.append(children["zoneState"])
    for i, j in sorted(edits, reverse=True):
        text = text[:i] + "impaired" + text[j:]
    return text, bool(edits)


def iso_time(value):
    """Epoch seconds of an ISO 8601 time with its fraction (ELBv2's CreatedTime), or None."""
    try:
        when = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=datetime.timezone.utc)).timestamp()


def alb_provisioning(text, now, window):
    """Records load balancer sightings in an ELBv2 CreateLoadBalancer or DescribeLoadBalancers answer (every
    <member> with a LoadBalancerArn and a State); turns young ones' <State><Code>active into provisioning.
    Returns (text, changed)."""
    found = elements(text)
    edits = []
    for name, depth, start, end, _, _ in found:
        if name != "member":
            continue
        children = {n: (s, e, i, j) for n, d, s, e, i, j in found if d == depth + 1 and start < s and e < end}
        if "LoadBalancerArn" not in children or "State" not in children:
            continue
        arn = text[slice(*children["LoadBalancerArn"][2:])].strip()
        birth = now
        if "CreatedTime" in children:
            created = iso_time(text[slice(*children["CreatedTime"][2:])])
            if created is not None:
                birth = min(birth, created)
        with LOCK:
            ALB_BIRTH[arn] = birth = min(ALB_BIRTH.get(arn, birth), birth)
        s, e = children["State"][:2]
        code = [(i, j) for n, d, cs, ce, i, j in found if n == "Code" and d == depth + 2 and s < cs and ce < e]
        if window > 0 and code and text[slice(*code[0])].strip() == "active" and now - birth < window:
            edits.append(code[0])
    for i, j in sorted(edits, reverse=True):
        text = text[:i] + "provisioning" + text[j:]
    return text, bool(edits)


def nat_pending(action, text, now, window):
    """Records NAT gateway sightings; turns young ones' available into pending. Returns (text, changed)."""
    outer = ("item", 2) if action == "DescribeNatGateways" else ("natGateway", 1)
    found = elements(text)
    edits = []
    for name, depth, start, end, _, _ in found:
        if (name, depth) != outer:
            continue
        children = {n: (s, e, i, j) for n, d, s, e, i, j in found if d == depth + 1 and start < s and e < end}
        if "natGatewayId" not in children:
            continue
        i, j = children["natGatewayId"][2:]
        nat = text[i:j].strip()
        birth = now
        if "createTime" in children:
            created = parse_time(text[slice(*children["createTime"][2:])])
            if created is not None:
                birth = min(birth, created)
        with LOCK:
            NAT_BIRTH[nat] = birth = min(NAT_BIRTH.get(nat, birth), birth)
        state = children.get("state")
        if window > 0 and state and text[state[2]:state[3]].strip() == "available" and now - birth < window:
            edits.append((state[2], state[3]))
    for i, j in sorted(edits, reverse=True):
        text = text[:i] + "pending" + text[j:]
    return text, bool(edits)


class Forward(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Each answer goes out in one write, with Nagle off: as two small
    # writes (headers, then body) the body waited for the client's delayed
    # ACK, ~40 ms a request on loopback.
    disable_nagle_algorithm = True

    def forward(self):
        start = time.time()
        body = self.read_body()
        if urllib.parse.urlsplit(self.path).path.startswith("/__proxy/"):
            return self.control(body)
        scope = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", self.headers.get("Authorization", ""))
        service = scope.group(1) if scope else "-"
        target = self.headers.get("X-Amz-Target")
        params = []
        if target:
            operation = target.rsplit(".", 1)[-1]
            protocol = "json"
        else:
            action = re.search(rb"(?:^|&)Action=([^&]+)", body)
            operation = action.group(1).decode() if action else "-"
            ec2 = service == "ec2" or re.search(rb"(?:^|&)Version=2016-11-15(?:&|$)", body)
            protocol = "ec2" if ec2 else "query"
            if ec2 and action:
                params = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        region = re.search(r"Credential=[^/]+/[^/]+/([^/]+)/", self.headers.get("Authorization", ""))
        region = region.group(1) if region else "us-east-1"
        form, doc = {}, {}
        if target:
            try:
                doc = json.loads(body or b"{}")
            except ValueError:
                doc = {}
        else:
            form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        # stackhost's lease (one operator at a time) is no stack resource: marked, so that
        # the stack's mutating requests can be told apart from it
        lease = service == "ssm" and str(doc.get("Name", "")).startswith("/stackhost/lease/")
        append(ARGS.log, f"{service} {operation}{' lease' if lease else ''}")
        aws = not self.path.startswith("/moto-api/")
        with LOCK:
            settings = dict(SETTINGS)
            draw = FAULTS.random() if aws else 1.0
        fault, chosen, edge = None, None, 0.0
        for name in PROBABILITIES:
            if draw < edge + settings[name]:
                chosen = name
                break
            edge += settings[name]
        if aws and not lease and settings["lose"] and operation == settings["lose"]:
            with LOCK:
                lost = SETTINGS["lose"] == operation
                SETTINGS["lose"] = "" if lost else SETTINGS["lose"]
            chosen = "drop_after" if lost else chosen
        if settings["latency_ms"] > 0:
            time.sleep(settings["latency_ms"] / 1000)
        log = {"service": service, "operation": operation, "start": start}
        if lease:
            log["lease"] = True
        if service == "ssm" and doc.get("WithDecryption"):
            # which values were asked for decrypted (names only, never a value)
            log["decrypted"] = doc.get("Names") or [doc.get("Name")]

        if chosen == "drop_before":
            return self.drop(log, "drop-before")
        answer = None
        content_type = self.headers.get("Content-Type", "")
        content_type = content_type if "x-amz-json" in content_type else "application/x-amz-json-1.1"
        if chosen == "throttle":
            fault, (status, code, message, kind) = "throttle", THROTTLE[protocol]
        elif chosen == "errors":
            # The lower half of the errors band is a 500, the upper a 503.
            fault = "error"
            status, code, message, kind = ERRORS[draw >= edge + settings["errors"] / 2]
        if fault:
            answer = error_answer(protocol, status, code, message, kind, content_type)
            if protocol == "json" and self.headers.get("x-amzn-query-mode"):
                answer[2]["x-amzn-query-error"] = f"{THROTTLE['query'][1] if fault == 'throttle' else code};{kind}"

        # A genuine refusal, and AWS's propagation answers.
        now = time.time()
        refused = fail_of(settings["fail"]).get(operation) if answer is None and aws else None
        if refused:
            fault = "refused"
            answer = error_answer(protocol, 400, refused[0], refused[1], "Sender", content_type)
        if answer is None and aws and settings["echo"] and operation == settings["echo"] and not lease:
            fault = "echo"
            answer = (400, b"you sent: " + body, {"Content-Type": "text/plain"})
        if answer is None and aws:
            found = PROPAGATION.refuse(service, operation, form, doc, region, now, settings["propagation"],
                                       rules_of(settings["propagation_rules"]))
            if found:
                status, code, message, rule = found
                fault = f"propagation:{rule}"
                answer = error_answer(protocol, status, code, message, "Sender", content_type)
        if answer is None and aws:
            instead = PROPAGATION.answer_instead(service, operation, doc, now, settings["propagation"],
                                                 rules_of(settings["propagation_rules"]))
            if instead:
                fault = f"propagation:{instead[0]}"
                answer = (200, instead[1].encode(), {"Content-Type": content_type, "x-amzn-RequestId": request_id()})

        # EC2 eventual consistency: ids named in the parameters.
        filtered = set()
        if answer is None and aws and params and settings["unknown_ids"] > 0:
            with LOCK:
                named = [(key, value) for key, value in params
                         if not NOT_A_REFERENCE.match(key) and young(value, now, settings["unknown_ids"])]
            describe = operation.startswith("Describe")
            direct = [value for key, value in named if not (describe and FILTER_VALUE.match(key))]
            if direct:
                fault = "unknown-id"
                code, kind = NOT_FOUND[ID_VALUE.match(direct[0]).group(1)]
                answer = error_answer("ec2", 400, code, f"The {kind} ID '{direct[0]}' does not exist", "Sender",
                                      content_type)
            else:
                filtered = {value for _, value in named}

        # Deletion lag: addresses of the VPC still mapped while the gateway detaches.
        if answer is None and aws and params and operation == "DetachInternetGateway" and settings["mapped_addresses"] > 0:
            igw, vpc = dict(params).get("InternetGatewayId"), dict(params).get("VpcId")
            with LOCK:
                first = DETACH_FIRST.setdefault(igw, now)
            if now - first < settings["mapped_addresses"]:
                fault = "mapped-addresses"
                answer = error_answer("ec2", 400, "DependencyViolation",
                                      f"Network {vpc} has some mapped public address(es). Please unmap those public "
                                      "address(es) before detaching the gateway.", "Sender", content_type)

        if answer is None and aws and params and operation == "CreateNatGateway":
            with LOCK:  # taken and counted at once: gateways are created concurrently
                fail_it = SETTINGS["nat_failed"] >= 1
                if fail_it:
                    SETTINGS["nat_failed"] -= 1
            if fail_it:
                answer = make_failed_nat(params)
                fault = "nat-failed"
        if answer is None and aws and params and operation == "DeleteNatGateway":
            nat = dict(params).get("NatGatewayId")
            with LOCK:
                info = FAILED_NATS.get(nat)
                if info:
                    info["state"] = "deleted"
            if info:
                answer = (200, (f'<DeleteNatGatewayResponse><requestId>{request_id()}</requestId><natGatewayId>{nat}'
                                f"</natGatewayId></DeleteNatGatewayResponse>").encode(), {"Content-Type": "text/xml"})
                fault = "nat-failed"

        forward_body = body
        if answer is None and aws and params and operation == "DescribeNatGateways" and FAILED_NATS:
            # moto does not know the proxy's own gateways: ask it for the others only.
            with LOCK:
                own = set(FAILED_NATS)
            named = [v for k, v in params if re.match(r"^NatGatewayId\.\d+$", k)]
            if any(v in own for v in named):
                rest = [v for v in named if v not in own]
                if not rest:
                    answer = (200, (f'<DescribeNatGatewaysResponse><requestId>{request_id()}</requestId>'
                                    f"<natGatewaySet/></DescribeNatGatewaysResponse>").encode(),
                              {"Content-Type": "text/xml"})
                    answer = (200, list_failed_nats(answer[1].decode(), params)[0].encode(), answer[2])
                    fault = "nat-failed"
                else:
                    kept = [(k, v) for k, v in params if not re.match(r"^NatGatewayId\.\d+$", k)]
                    kept += [(f"NatGatewayId.{i + 1}", v) for i, v in enumerate(rest)]
                    forward_body = urllib.parse.urlencode(kept).encode()

        token, replayed = None, False
        if answer is None and aws and params and settings["client_tokens"] and operation.startswith("Create"):
            token = next(((operation, value) for key, value in params if key == "ClientToken" and value), None)
            with LOCK:
                earlier = TOKENS.get(token)
            if earlier and earlier[0] != sorted(params):
                answer = error_answer("ec2", 400, "IdempotentParameterMismatch",
                                      f"Client token '{token[1]}' was already used with different parameters",
                                      "Sender", content_type)
            elif earlier:
                replayed = True

        if answer is None:
            answer = earlier[1] if replayed else self.upstream(forward_body)
            status, data, headers = answer
            if token and status == 200 and not replayed:
                with LOCK:
                    TOKENS.setdefault(token, (sorted(params), answer))
            if replayed:
                log["replayed"] = True
            if aws and status == 200:
                PROPAGATION.observe(service, operation, form, doc, data.decode("utf-8", "replace"), time.time())
            if aws and status == 200 and service == "ecr" and operation == "CreateRepository" and settings["push_tag"]:
                ask_moto("ecr", "AmazonEC2ContainerRegistry_V20150921.PutImage", {
                    "repositoryName": doc.get("repositoryName"), "imageTag": settings["push_tag"],
                    "imageManifest": MANIFEST})
            if aws and status == 200 and settings["rollouts"]:
                text, rewritten, now = data.decode("utf-8", "replace"), None, time.time()
                if service == "ecs" and operation in ("CreateService", "UpdateService"):
                    ROLLOUTS.observe(operation, doc, text, now, settings["rollout_crash"])
                elif service == "ecs" and operation == "DescribeServices":
                    ROLLOUTS.remember_desired(text)
                    rewritten = ROLLOUTS.describe_services(text, now, settings["rollout"])
                elif service == "ecs" and operation == "ListTasks":
                    rewritten = ROLLOUTS.list_tasks(doc, text, now, settings["rollout"])
                elif service == "ecs" and operation == "DescribeTasks":
                    rewritten = ROLLOUTS.describe_tasks(doc, text)
                elif service == "elasticloadbalancing" and operation == "DescribeTargetHealth":
                    rewritten = ROLLOUTS.target_health(form.get("TargetGroupArn"), text, now, settings["rollout"])
                if rewritten is not None:
                    fault, data = "rollout", rewritten.encode()
                    answer = status, data, headers
            if aws and params and status == 200:
                if operation.startswith(("Create", "Allocate", "Associate")) or operation == "RunInstances":
                    text = data.decode("utf-8", "replace")
                    ids = made_ids(operation, text)
                    if ids:
                        made = time.time()
                        with LOCK:
                            for i in ids:
                                MADE.setdefault(i, made)
                if filtered:
                    text, removed = strip_items(data.decode("utf-8", "replace"), filtered)
                    if removed:
                        fault, data = "unknown-id", text.encode()
                if operation == "DescribeAvailabilityZones" and settings["zones_impaired"]:
                    text, changed = zones_impaired(data.decode("utf-8", "replace"), settings["zones_impaired"])
                    if changed:
                        fault, data = "zone-impaired", text.encode()
                if operation == "DescribeNatGateways" and FAILED_NATS:
                    text, changed = list_failed_nats(data.decode("utf-8", "replace"), params)
                    if changed:
                        fault, data = "nat-failed", text.encode()
                if operation in ("DescribeNatGateways", "CreateNatGateway"):
                    text, changed = nat_pending(operation, data.decode("utf-8", "replace"), time.time(),
                                                settings["nat_pending"])
                    if changed:
                        fault, data = "nat-pending", text.encode()
                answer = status, data, headers
            if aws and status == 200 and operation in ("DescribeLoadBalancers", "CreateLoadBalancer"):
                text, changed = alb_provisioning(answer[1].decode("utf-8", "replace"), time.time(),
                                                 settings["alb_provisioning"])
                if changed:
                    fault = "alb-provisioning"
                    answer = status, text.encode(), headers
            if chosen == "drop_after":
                return self.drop(log, "drop-after", upstream_status=status)
        self.answer(*answer, log=dict(log, fault=fault))

    def upstream(self, body):
        request = urllib.request.Request(ARGS.upstream + self.path, method=self.command,
                                         data=body if body or self.command in ("POST", "PUT") else None)
        for name, value in self.headers.items():
            if name.lower() not in HOP:
                request.add_header(name, value)
        try:
            with UPSTREAM.open(request, timeout=60) as answer:
                return answer.status, answer.read(), answer.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers
        except OSError as error:
            # An answer rather than a dropped connection, so that the client's
            # kept-alive connection stays usable.
            return 502, f"count_proxy: {error}\n".encode(), {}

    def answer(self, status, data, headers, log=None):
        head = [f"{self.protocol_version} {status} {self.responses.get(status, ('',))[0]}"]
        head += [f"{name}: {value}" for name, value in headers.items() if name.lower() not in HOP | {"server", "date"}]
        length = headers.get("Content-Length", len(data)) if self.command == "HEAD" else len(data)
        head.append(f"Content-Length: {length}")
        if self.close_connection:
            head.append("Connection: close")
        if ARGS.json_log and log is not None:
            # Logged before the answer is sent: once the client has its last
            # answer, the log is complete.
            append(ARGS.json_log, json.dumps(dict(log, end=time.time(), status=status,
                                                  port=self.client_address[1])))
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (b"" if self.command == "HEAD" else data))

    def drop(self, log, fault, **extra):
        """Closes the connection without a byte of answer."""
        if ARGS.json_log:
            append(ARGS.json_log, json.dumps(dict(log, end=time.time(), status=None, port=self.client_address[1],
                                                  fault=fault, **extra)))
        self.close_connection = True

    def control(self, body):
        path = urllib.parse.urlsplit(self.path).path
        if path != "/__proxy/settings" or self.command not in ("GET", "POST"):
            return self.answer(404, b'{"error": "GET or POST /__proxy/settings"}\n', {"Content-Type": "application/json"})
        if self.command == "POST":
            try:
                change = json.loads(body or b"{}")
                if not isinstance(change, dict):
                    raise ValueError("a JSON object of settings")
                change = {key.replace("-", "_"): value for key, value in change.items()}
                forget = change.pop("propagation_forget", False)
                for key, value in change.items():
                    if key == "seed":
                        if not isinstance(value, int) or isinstance(value, bool):
                            raise ValueError("seed: an integer")
                    elif key in PROBABILITIES:
                        probability(str(float(value)))
                    elif key in SECONDS:
                        seconds(str(float(value)))
                    elif key in FLAGS:
                        if not isinstance(value, bool):
                            raise ValueError(f"{key}: true or false")
                    elif key in TEXTS:
                        what, check = TEXT_FORMS[key]
                        if not isinstance(value, str):
                            raise ValueError(f"{key}: {what}")
                        check(value)
                    else:
                        raise ValueError(f"{key}: not a setting")
            except (ValueError, TypeError, argparse.ArgumentTypeError) as error:
                return self.answer(400, json.dumps({"error": str(error)}).encode() + b"\n",
                                   {"Content-Type": "application/json"})
            with LOCK:
                for key, value in change.items():
                    SETTINGS[key] = value if key in ("seed",) + FLAGS + TEXTS else float(value)
                if "seed" in change:
                    reseed(change["seed"])
            if forget:
                PROPAGATION.forget()
        with LOCK:
            current = json.dumps(SETTINGS, sort_keys=True).encode() + b"\n"
        self.answer(200, current, {"Content-Type": "application/json"})

    def read_body(self):
        if "chunked" not in self.headers.get("Transfer-Encoding", "").lower():
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""
        # Read to the very end, trailers included, or the next request on
        # this connection would start mid-body.
        body = b""
        while size := int(self.rfile.readline().split(b";")[0], 16):
            body += self.rfile.read(size + 2)[:size]
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        return body

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = forward

    def log_message(self, *args):
        pass


server = Server(("127.0.0.1", 0), Forward)
print(server.server_address[1], flush=True)
server.serve_forever()
