#!/usr/bin/env python3
"""NetworkPolicy at scale (policy-scale.sh's helper; stdlib only).

  gen      --dir D                    pods.json, namespaces.yaml, policies.yaml (500
                                      networking.k8s.io/v1 NetworkPolicies, one file), model.json
  check    --dir D                    the model's verdicts for the iperf3 pair (JSON on stdout)
  render   --dir D --out PREFIX [--no-policies] [--version N]
                                      PREFIX.ipset / PREFIX.iptables: the policies in
                                      kube-router's iptables + ipset layout
  anchor-updates --dir D --changes N --out F
                                      (run inside the anchor's node netns) N changes
                                      (relabels, policy creates/deletes), each: regenerate the
                                      whole ruleset + iptables-save + ipset restore +
                                      iptables-restore, timed; samples to F
  tern-updates --dir D --tern T --ds DIR --relabels N --policies M --out F [--timeout S]
                                      (run inside Tern's node netns) `nft monitor` read by a
                                      thread, each line stamped with time.monotonic(); for
                                      each change (after GAP s without a line): t0 just
                                      before the CLI process is spawned, latency = the first
                                      element/rule/chain/set event of inet tern after t0
                                      (rule or chain for policy creates/deletes)
  stats    F...                       p50/p90/p99/max of sample files (JSON)

The semantics (Kubernetes NetworkPolicy, docs/POLICY.md "Semantics") are implemented once,
in Model, for exactly the constructs `gen` writes: matchLabels and matchExpressions
(In, NotIn, Exists, DoesNotExist); peers podSelector / namespaceSelector / both / ipBlock
with except; ports numeric, ranges (endPort), named (resolved against the destination
pod), TCP and UDP; ingress and egress; policyTypes written or defaulted.

The kube-router rendering (reference POLICY.md A7) differs from kube-router in one point,
on purpose: a policy with both ingress and egress gets two chains (KUBE-NWPLCY-<hash of
policy + direction>), so an egress check can never be satisfied by the same policy's
ingress rule (one shared chain with src/dst target sets can do that when a policy selects
both ends).
"""
import argparse
import base64
import functools
import hashlib
import ipaddress
import json
import os
import re
import subprocess
import sys
import threading
import time

NS_COUNT, PODS_PER_NS, APPS, POLICIES = 20, 50, 250, 500
POOL = ipaddress.ip_network("10.244.0.0/22")
CLIENT, SERVER = 0, 999                    # pod indexes of the two real pods
IPERF_PORT = 5201


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return None
    k = max(0, min(len(xs) - 1, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


# --- the data ------------------------------------------------------------------------
def ns_name(j):
    return f"ns-{j:02d}"


def ns_labels(j):
    return {"kubernetes.io/metadata.name": ns_name(j), "team": f"team-{j % 5}", "env": "prod" if j % 2 == 0 else "dev"}


def cali(key):
    return "cali" + hashlib.sha1(key.encode()).hexdigest()[:11]


def make_pods():
    pods = []
    for i in range(NS_COUNT * PODS_PER_NS):
        j = i // PODS_PER_NS
        labels = {"app": f"app-{i // 4}", "tier": "web" if i % 2 == 0 else "db",
                  "role": "client" if (i // 2) % 2 == 0 else "server"}
        if i == CLIENT:
            labels["role"] = "client"
        if i == SERVER:
            labels["role"] = "server"
        pods.append({"i": i, "name": f"pod-{i:04d}", "ns": ns_name(j), "ip": str(POOL.network_address + 2 + i),
                     "labels": labels, "iface": cali(f"policy-scale/pod-{i:04d}"),
                     "ports": {"http": [80, "TCP"]}, "real": i in (CLIENT, SERVER)})
    return pods


def apps_in_ns(pods, ns):
    seen = []
    for p in pods:
        if p["ns"] == ns and p["labels"]["app"] not in seen:
            seen.append(p["labels"]["app"])
    return seen


def make_policies(pods):
    """500 policies; the last 10 are the iperf3 pair's (client egress, server ingress)."""
    pol = []
    port_sets = [
        [{"protocol": "TCP", "port": 80}],
        [{"protocol": "TCP", "port": 8000, "endPort": 8100}],
        [{"port": "http"}],
        [{"protocol": "UDP", "port": 53}],
        [{"protocol": "TCP", "port": 80}, {"protocol": "TCP", "port": 443}, {"protocol": "UDP", "port": 5353}],
        None,
        [{"protocol": "TCP", "port": 9000, "endPort": 9010}, {"protocol": "TCP", "port": "http"}],
    ]
    generic = POLICIES - 10
    for i in range(generic):
        j = i % NS_COUNT
        ns = ns_name(j)
        apps = apps_in_ns(pods, ns)
        a = apps[(i // NS_COUNT) % len(apps)]
        b = apps[(i // NS_COUNT + 1) % len(apps)]
        kind = i % 5
        if kind in (0, 1, 2):
            sel = {"matchLabels": {"app": a}}
        elif kind == 3:
            sel = {"matchLabels": {"app": a}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web", "db"]}]}
        else:
            sel = {"matchExpressions": [{"key": "app", "operator": "In", "values": [a, b]},
                                        {"key": "role", "operator": "Exists"}]}
        rules = []
        for r in range(1 + i % 3):
            pk = (i + r) % 6
            peer_ns = (j + 1 + r) % NS_COUNT
            if pk == 0:
                frm = [{"podSelector": {"matchLabels": {"role": "client"}}}]
            elif pk == 1:
                frm = [{"namespaceSelector": {"matchLabels": {"team": f"team-{peer_ns % 5}"}}}]
            elif pk == 2:
                frm = [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns_name(peer_ns)}},
                        "podSelector": {"matchLabels": {"tier": "web"}}}]
            elif pk == 3:
                base = int(POOL.network_address) + 256 * (r % 4)
                frm = [{"ipBlock": {"cidr": f"{ipaddress.ip_address(base)}/24",
                                    "except": [f"{ipaddress.ip_address(base + 128)}/28"]}}]
            elif pk == 4:
                frm = [{"podSelector": {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": [a]},
                                                             {"key": "tier", "operator": "DoesNotExist"}]}},
                       {"namespaceSelector": {"matchLabels": {"env": "dev"}},
                        "podSelector": {"matchLabels": {"role": "server"}}}]
            else:
                frm = None
            rule = {}
            if frm is not None:
                rule["from"] = frm
            ports = port_sets[(i + 2 * r) % len(port_sets)]
            if ports is not None:
                rule["ports"] = ports
            rules.append(rule)
        spec = {"podSelector": sel, "ingress": rules}
        if i % 7 == 0:
            spec["egress"] = [
                {"to": [{"namespaceSelector": {"matchLabels": {"team": f"team-{j % 5}"}}}],
                 "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 5432}]},
                {"to": [{"ipBlock": {"cidr": "192.168.0.0/16"}}]},
                {"to": [{"podSelector": {}}], "ports": [{"port": "http"}]},
            ]
            spec["policyTypes"] = ["Ingress", "Egress"]
        elif i % 11 == 0:
            pass                            # policyTypes defaulted: [Ingress]
        else:
            spec["policyTypes"] = ["Ingress"]
        pol.append({"name": f"np-{i:03d}", "namespace": ns, "spec": spec})
    cl, sv = pods[CLIENT], pods[SERVER]
    cns = int(cl["ns"][3:])
    # the client's egress: two policies, the allow in the last one's last rule
    for k in range(2):
        eg = [{"to": [{"ipBlock": {"cidr": "192.168.0.0/16"}}], "ports": [{"protocol": "UDP", "port": 53}]},
              {"to": [{"podSelector": {"matchLabels": {"tier": "db"}}}], "ports": [{"protocol": "TCP", "port": 5432}]}]
        if k == 1:
            eg.append({"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": sv["ns"]}},
                               "podSelector": {"matchLabels": {"role": "server"}}}],
                       "ports": [{"protocol": "TCP", "port": IPERF_PORT}]})
        pol.append({"name": f"zz-client-egress-{k}", "namespace": cl["ns"],
                    "spec": {"podSelector": {"matchLabels": {"app": cl["labels"]["app"], "role": "client"}},
                             "policyTypes": ["Egress"], "egress": eg}})
    # the server's ingress: eight policies, the allow in the last one's last rule
    for k in range(8):
        ing = [
            {"from": [{"podSelector": {"matchLabels": {"role": "client"}}}],
             "ports": [{"protocol": "TCP", "port": 8000 + k, "endPort": 8100 + k}]},
            {"from": [{"ipBlock": {"cidr": "192.168.0.0/16", "except": ["192.168.1.0/24"]}}],
             "ports": [{"protocol": "TCP", "port": IPERF_PORT}]},
            {"from": [{"namespaceSelector": {"matchLabels": {"team": f"team-{(cns + 1 + k) % 5}"}}}],
             "ports": [{"port": "http"}, {"protocol": "UDP", "port": IPERF_PORT}]},
            {"from": [{"namespaceSelector": {"matchLabels": {"env": "dev"}},
                       "podSelector": {"matchLabels": {"tier": "db"}}}],
             "ports": [{"protocol": "TCP", "port": 443}, {"protocol": "TCP", "port": 6000, "endPort": 6999}]},
        ]
        if k == 7:
            ing.append({"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": cl["ns"]}},
                                  "podSelector": {"matchLabels": {"role": "client"}}}],
                        "ports": [{"protocol": "TCP", "port": IPERF_PORT}]})
        pol.append({"name": f"zz-server-ingress-{k}", "namespace": sv["ns"],
                    "spec": {"podSelector": {"matchLabels": {"app": sv["labels"]["app"], "role": "server"}},
                             "policyTypes": ["Ingress"], "ingress": ing}})
    assert len(pol) == POLICIES
    return pol


def extra_policy(n, pods):
    """The n-th policy the create/delete samples add and remove (selects app of ns-(n%20))."""
    ns = ns_name(n % NS_COUNT)
    a = apps_in_ns(pods, ns)[(n // NS_COUNT) % 4]
    return {"name": f"bench-extra-{n:03d}", "namespace": ns,
            "spec": {"podSelector": {"matchLabels": {"app": a}}, "policyTypes": ["Ingress"],
                     "ingress": [{"from": [{"podSelector": {"matchLabels": {"tier": "web"}}}],
                                  "ports": [{"protocol": "TCP", "port": 7000 + n}]}]}}


def relabel_plan(pods, n):
    """n relabels: pods of generic namespaces moved to the next app of their namespace and back
    (both apps are selected by policies of that namespace), as (pod index, new app)."""
    plan = []
    movable = [p for p in pods if not p["real"]]
    k = 0
    while len(plan) < n:
        p = movable[(k * 37) % len(movable)]
        k += 1
        apps = apps_in_ns(pods, p["ns"])
        cur = p["labels"]["app"]
        if cur not in apps:
            continue
        other = apps[(apps.index(cur) + 1) % len(apps)]
        plan.append((p["i"], other))
        plan.append((p["i"], cur))
    return plan[:n]


# --- YAML (JSON is YAML; one document per resource) -------------------------------------
def k8s_policy(p):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": p["name"], "namespace": p["namespace"]}, "spec": p["spec"]}


def write_docs(path, docs):
    with open(path, "w") as f:
        for d in docs:
            f.write("---\n" + json.dumps(d) + "\n")


# --- the semantics -----------------------------------------------------------------------
def sel_match(sel, labels):
    if sel is None:
        return False
    for k, v in sel.get("matchLabels", {}).items():
        if labels.get(k) != v:
            return False
    for e in sel.get("matchExpressions", []):
        op, k = e["operator"], e["key"]
        if op == "In" and labels.get(k) not in e["values"]:
            return False
        if op == "NotIn" and k in labels and labels[k] in e["values"]:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True


@functools.lru_cache(maxsize=None)
def _net(cidr):
    n = ipaddress.ip_network(cidr)
    return int(n.network_address), int(n.netmask)


@functools.lru_cache(maxsize=None)
def _in_block(ip, cidr, excepts):
    a = int(ipaddress.ip_address(ip))

    def inside(c):
        base, mask = _net(c)
        return a & mask == base
    return inside(cidr) and not any(inside(e) for e in excepts)


class Model:
    def __init__(self, pods, policies):
        self.pods = pods
        self.policies = sorted(policies, key=lambda p: (p["namespace"], p["name"]))
        self.nsl = {ns_name(j): ns_labels(j) for j in range(NS_COUNT)}
        self.by_ns = {}
        for q in pods:
            self.by_ns.setdefault(q["ns"], []).append(q)
        self._peers = {}
        self._targets = {}

    @staticmethod
    def types(p):
        s = p["spec"]
        if "policyTypes" in s:
            return s["policyTypes"]
        return ["Ingress"] + (["Egress"] if s.get("egress") else [])

    def selected(self, p, pod):
        return pod["ns"] == p["namespace"] and sel_match(p["spec"]["podSelector"], pod["labels"])

    def targets(self, p):
        k = (p["namespace"], p["name"])
        if k not in self._targets:
            self._targets[k] = [q for q in self.by_ns.get(p["namespace"], []) if sel_match(p["spec"]["podSelector"], q["labels"])]
        return self._targets[k]

    def applying(self, pod, direction):
        return [p for p in self.policies if direction in self.types(p) and self.selected(p, pod)]

    def peer_pods(self, policy, peer):
        """Pods a podSelector/namespaceSelector peer matches (None for an ipBlock peer)."""
        if "ipBlock" in peer:
            return None
        key = (policy["namespace"], json.dumps(peer, sort_keys=True))
        if key in self._peers:
            return self._peers[key]
        out = []
        for q in self.pods:
            if "namespaceSelector" in peer:
                if not sel_match(peer["namespaceSelector"], self.nsl[q["ns"]]):
                    continue
            elif q["ns"] != policy["namespace"]:
                continue
            if "podSelector" in peer and not sel_match(peer["podSelector"], q["labels"]):
                continue
            out.append(q)
        self._peers[key] = out
        return out

    @staticmethod
    def in_block(ip, blk):
        return _in_block(ip, blk["cidr"], tuple(blk.get("except", [])))

    def peer_has(self, policy, peers, ip):
        if peers is None:
            return True
        for peer in peers:
            if "ipBlock" in peer:
                if self.in_block(ip, peer["ipBlock"]):
                    return True
            elif any(q["ip"] == ip for q in self.peer_pods(policy, peer)):
                return True
        return False

    @staticmethod
    def port_ok(ports, dst_pod, port, proto):
        if ports is None:
            return True
        for pp in ports:
            pr = pp.get("protocol", "TCP")
            if pr != proto:
                continue
            v = pp.get("port")
            if v is None:
                return True
            if isinstance(v, str):
                if dst_pod is not None and dst_pod["ports"].get(v) == [port, proto]:
                    return True
                continue
            if v <= port <= pp.get("endPort", v):
                return True
        return False

    def allows(self, direction, pod, other_ip, dst_pod, port, proto):
        pols = self.applying(pod, direction)
        if not pols:
            return True, "not isolated"
        key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
        for p in pols:
            for n, r in enumerate(p["spec"].get(key) or []):
                if self.peer_has(p, r.get(peers_key), other_ip) and self.port_ok(r.get("ports"), dst_pod, port, proto):
                    return True, f"{p['namespace']}/{p['name']} {key}[{n}]"
        return False, "isolated by " + ",".join(p["name"] for p in pols)

    def verdict(self, src, dst, port, proto="TCP"):
        e = self.allows("Egress", src, dst["ip"], dst, port, proto)
        i = self.allows("Ingress", dst, src["ip"], dst, port, proto)
        return {"allowed": e[0] and i[0], "egress": e[1], "ingress": i[1]}


# --- kube-router's rendering ---------------------------------------------------------------
def h16(*parts):
    return base64.b32encode(hashlib.sha256("".join(str(x) for x in parts).encode()).digest()).decode()[:16]


MARK = "-j MARK --set-xmark 0x10000/0x10000"
RET = "-m mark --mark 0x10000/0x10000 -j RETURN"


def port_matches(ports, resolve_named):
    """[(proto, '--dport ...' or multiport clause, named_set_key_or_None)] for a rule's ports."""
    if ports is None:
        return [(None, "", None)]
    by_proto, out = {}, []
    for pp in ports:
        pr = pp.get("protocol", "TCP").lower()
        v = pp.get("port")
        if v is None:
            out.append((pr, "", None))
        elif isinstance(v, str):
            for number, pods in resolve_named(v, pp.get("protocol", "TCP")):
                out.append((pr, f"--dport {number}", (v, number, pr, tuple(pods))))
        else:
            by_proto.setdefault(pr, []).append(f"{v}:{pp['endPort']}" if "endPort" in pp else str(v))
    for pr, specs in by_proto.items():
        if len(specs) == 1:
            out.append((pr, f"--dport {specs[0]}", None))
        else:
            out.append((pr, "-m multiport --dports " + ",".join(specs), None))
    return out


def render(model, version, with_policies=True):
    sets = {}          # name -> (type, [entries])
    chains = {}        # name -> [rule text]
    pods = model.pods
    policies = model.policies if with_policies else []

    def ipset(prefix, key, kind, entries):
        name = f"{prefix}-{h16(key, version)}"
        sets[name] = (kind, entries)
        return name

    for p in policies:
        for direction in ("Ingress", "Egress"):
            if direction not in Model.types(p):
                continue
            targets = model.targets(p)
            pid = (p["namespace"], p["name"], direction)
            chain = f"KUBE-NWPLCY-{h16(*pid, version)}"
            rules = chains.setdefault(chain, [])
            tgt = ipset("KUBE-DST" if direction == "Ingress" else "KUBE-SRC", ("target",) + pid, "hash:ip", [q["ip"] for q in targets])
            key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
            for n, r in enumerate(p["spec"].get(key) or []):
                peers = r.get(peers_key)
                podpeers, blocks = [], []
                if peers is not None:
                    for peer in peers:
                        if "ipBlock" in peer:
                            blocks.append(peer["ipBlock"])
                        else:
                            have = {q["i"] for q in podpeers}
                            podpeers.extend(q for q in model.peer_pods(p, peer) if q["i"] not in have)
                # named ports: the pods the name resolves on, per number
                if direction == "Ingress":
                    def resolve(name, proto, cands=targets):
                        byn = {}
                        for q in cands:
                            v = q["ports"].get(name)
                            if v and v[1] == proto:
                                byn.setdefault(v[0], []).append(q["ip"])
                        return sorted(byn.items())
                else:
                    if peers is None:
                        cands = pods
                    else:
                        have = {q["i"] for q in podpeers}
                        cands = [q for q in pods if q["i"] in have or any(Model.in_block(q["ip"], b) for b in blocks)]

                    def resolve(name, proto, cands=cands):
                        byn = {}
                        for q in cands:
                            v = q["ports"].get(name)
                            if v and v[1] == proto:
                                byn.setdefault(v[0], []).append(q["ip"])
                        return sorted(byn.items())
                sources = []   # peer match clauses (the "other end")
                side = "src" if direction == "Ingress" else "dst"
                if peers is None:
                    sources.append("")
                else:
                    if podpeers or not blocks:
                        s = ipset("KUBE-SRC" if direction == "Ingress" else "KUBE-DST", ("peers",) + pid + (n,), "hash:ip",
                                  [q["ip"] for q in podpeers])
                        sources.append(f"-m set --match-set {s} {side}")
                    for b_i, b in enumerate(blocks):
                        ents = [b["cidr"]] + [e + " nomatch" for e in b.get("except", [])]
                        s = ipset("KUBE-SRC" if direction == "Ingress" else "KUBE-DST", ("block",) + pid + (n, b_i), "hash:net", ents)
                        sources.append(f"-m set --match-set {s} {side}")
                own = "dst" if direction == "Ingress" else "src"
                for pr, dport, named in port_matches(r.get("ports"), resolve):
                    if named is not None:
                        nm, number, _, ips = named
                        if direction == "Ingress":
                            tset = ipset("KUBE-DST", ("named",) + pid + (n, nm, number), "hash:ip", list(ips))
                            owns = f"-m set --match-set {tset} dst"
                            srcs = sources
                        else:
                            # egress named port: the destination must be a peer pod with the port
                            tset = ipset("KUBE-DST", ("named",) + pid + (n, nm, number), "hash:ip", list(ips))
                            owns = f"-m set --match-set {tgt} src"
                            srcs = [f"-m set --match-set {tset} dst"]
                    else:
                        owns = f"-m set --match-set {tgt} {own}"
                        srcs = sources
                    proto = f"-p {pr} " if pr else ""
                    for s in srcs:
                        m = " ".join(x for x in (proto.strip(), s, owns, dport) if x)
                        rules.append(f"-A {chain} {m} {MARK}")
                        rules.append(f"-A {chain} {m} {RET}")
    # per-pod chains
    fwd = []
    sel_by = {}
    for p in policies:                       # in model order: (namespace, name)
        for q in model.targets(p):
            sel_by.setdefault(q["i"], []).append(p)
    for q in pods:
        ing = [p for p in sel_by.get(q["i"], []) if "Ingress" in Model.types(p)]
        eg = [p for p in sel_by.get(q["i"], []) if "Egress" in Model.types(p)]
        if not ing and not eg:
            continue
        c = f"KUBE-POD-FW-{h16(q['ns'], q['name'], version)}"
        r = chains.setdefault(c, [])
        r.append(f"-A {c} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT")
        if ing:
            r.append(f"-A {c} -d {q['ip']}/32 -m addrtype --src-type LOCAL -j ACCEPT")
        for p in ing:
            r.append(f"-A {c} -d {q['ip']}/32 -j KUBE-NWPLCY-{h16(p['namespace'], p['name'], 'Ingress', version)}")
        for p in eg:
            r.append(f"-A {c} -s {q['ip']}/32 -j KUBE-NWPLCY-{h16(p['namespace'], p['name'], 'Egress', version)}")
        r.append(f"-A {c} -m mark ! --mark 0x10000/0x10000 -m limit --limit 10/min --limit-burst 10 -j NFLOG --nflog-group 100")
        r.append(f"-A {c} -m mark ! --mark 0x10000/0x10000 -j REJECT --reject-with icmp-port-unreachable")
        r.append(f"-A {c} -j MARK --set-xmark 0x0/0x10000")
        cm = f'-m comment --comment "rule to jump traffic to POD {q["ns"]}/{q["name"]}"'
        if ing:
            fwd.append(f"-A KUBE-ROUTER-FORWARD -d {q['ip']}/32 {cm} -j {c}")
            fwd.append(f"-A KUBE-ROUTER-FORWARD -d {q['ip']}/32 -m physdev --physdev-is-bridged {cm} -j {c}")
        if eg:
            fwd.append(f"-A KUBE-ROUTER-FORWARD -s {q['ip']}/32 {cm} -j {c}")
            fwd.append(f"-A KUBE-ROUTER-FORWARD -s {q['ip']}/32 -m physdev --physdev-is-bridged {cm} -j {c}")
    lines = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":KUBE-ROUTER-FORWARD - [0:0]"]
    lines += [f":{c} - [0:0]" for c in chains]
    lines.append('-A FORWARD -m comment --comment "kube-router netpol - rule to jump to KUBE-ROUTER-FORWARD" -j KUBE-ROUTER-FORWARD')
    lines += fwd
    for c, rs in chains.items():
        lines += rs
    lines.append("COMMIT")
    ipl = []
    for name, (kind, ents) in sets.items():
        tmp = "TMP-" + name[9:]
        opts = "family inet hashsize 1024 maxelem 65536"
        ipl.append(f"create {tmp} {kind} {opts} -exist")
        ipl.append(f"flush {tmp}")
        ipl += [f"add {tmp} {e}" for e in ents]
        ipl.append(f"create {name} {kind} {opts} -exist")
        ipl.append(f"swap {tmp} {name}")
        ipl.append(f"flush {tmp}")
        ipl.append(f"destroy {tmp}")
    stats = {"chains": len(chains) + 1, "rules": len(lines) - len(chains) - 6, "ipsets": len(sets),
             "ipset_entries": sum(len(e) for _, e in sets.values())}
    return "\n".join(lines) + "\n", "\n".join(ipl) + "\n", set(sets), stats


def apply_rendering(ipt, ips, old_sets, new_sets):
    """kube-router's sync: iptables-save, ipset restore, iptables-restore (whole filter table),
    then the sets of the previous generation destroyed."""
    subprocess.run(["iptables-save", "-t", "filter"], check=True, capture_output=True)
    subprocess.run(["ipset", "restore"], input=ips, text=True, check=True)
    subprocess.run(["iptables-restore"], input=ipt, text=True, check=True)
    stale = sorted(old_sets - new_sets)
    if stale:
        subprocess.run(["ipset", "restore"], input="".join(f"destroy {s}\n" for s in stale), text=True, check=True)


# --- commands ---------------------------------------------------------------------------------
def load(d):
    m = json.load(open(os.path.join(d, "model.json")))
    return m["pods"], m["policies"]


def cmd_gen(a):
    os.makedirs(a.dir, exist_ok=True)
    pods = make_pods()
    pols = make_policies(pods)
    json.dump({"pods": pods, "policies": pols}, open(os.path.join(a.dir, "model.json"), "w"))
    with open(os.path.join(a.dir, "pods.tsv"), "w") as f:
        for p in pods:
            f.write("\t".join([p["name"], p["ns"], p["ip"], p["iface"], "1" if p["real"] else "0",
                               " ".join(f"--label {k}={v}" for k, v in sorted(p["labels"].items()))]) + "\n")
    write_docs(os.path.join(a.dir, "namespaces.yaml"),
               [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns_name(j), "labels": ns_labels(j)}}
                for j in range(NS_COUNT)])
    write_docs(os.path.join(a.dir, "policies.yaml"), [k8s_policy(p) for p in pols])
    for n in range(50):
        write_docs(os.path.join(a.dir, f"extra-{n:03d}.yaml"), [k8s_policy(extra_policy(n, pods))])
    kinds = {"ingress_rules": sum(len(p["spec"].get("ingress") or []) for p in pols),
             "egress_policies": sum(1 for p in pols if "Egress" in Model.types(p))}
    print(json.dumps({"pods": len(pods), "policies": len(pols), **kinds,
                      "client": pods[CLIENT]["name"], "server": pods[SERVER]["name"]}))


def cmd_check(a):
    pods, pols = load(a.dir)
    m = Model(pods, pols)
    cl, sv = pods[CLIENT], pods[SERVER]
    out = {
        "client_to_server_5201": m.verdict(cl, sv, IPERF_PORT),
        "client_to_server_5202": m.verdict(cl, sv, IPERF_PORT + 1),
        "server_to_client_5201": m.verdict(sv, cl, IPERF_PORT),
        "server_ingress_policies": [p["name"] for p in m.applying(sv, "Ingress")],
        "client_egress_policies": [p["name"] for p in m.applying(cl, "Egress")],
        "isolated_ingress_pods": sum(1 for q in pods if m.applying(q, "Ingress")),
        "isolated_egress_pods": sum(1 for q in pods if m.applying(q, "Egress")),
    }
    print(json.dumps(out))


def cmd_render(a):
    pods, pols = load(a.dir)
    t = time.perf_counter()
    ipt, ips, _, st = render(Model(pods, pols), a.version, not a.no_policies)
    st["render_s"] = time.perf_counter() - t
    open(a.out + ".iptables", "w").write(ipt)
    open(a.out + ".ipset", "w").write(ips)
    print(json.dumps(st))


def cmd_anchor_updates(a):
    pods, pols = load(a.dir)
    plan = relabel_plan(pods, a.changes)
    # the same mix as Tern's samples: relabels, then policy creates/deletes
    changes = [("relabel",) + x for x in plan[: a.changes - a.changes // 5]]
    changes += [("create", n) if k % 2 == 0 else ("delete", n) for k, n in
                ((k, k // 2) for k in range(a.changes // 5))]
    extra = []
    version = 1
    _, _, cur_sets, _ = render(Model(pods, pols), version)
    samples = []
    for ch in changes:
        if ch[0] == "relabel":
            pods[ch[1]]["labels"]["app"] = ch[2]
        elif ch[0] == "create":
            extra.append(extra_policy(ch[1], pods))
        else:
            extra = [p for p in extra if p["name"] != extra_policy(ch[1], pods)["name"]]
        version += 1
        t0 = time.perf_counter()
        ipt, ips, new_sets, st = render(Model(pods, pols + extra), version)
        t1 = time.perf_counter()
        apply_rendering(ipt, ips, cur_sets, new_sets)
        t2 = time.perf_counter()
        cur_sets = new_sets
        samples.append({"change": ch[0], "total_s": t2 - t0, "render_s": t1 - t0, "apply_s": t2 - t1})
    json.dump(samples, open(a.out, "w"))
    tot = [s["total_s"] for s in samples]
    print(json.dumps({"n": len(tot), "p50": pct(tot, 50), "p99": pct(tot, 99),
                      "render_p50": pct([s["render_s"] for s in samples], 50),
                      "apply_p50": pct([s["apply_s"] for s in samples], 50), "stats": st}))


class Monitor:
    """`nft monitor` in this netns; every line stamped with time.monotonic() on receipt."""

    def __init__(self):
        self.p = subprocess.Popen(["nft", "monitor"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.lines = []
        self.cv = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            t = time.monotonic()
            with self.cv:
                self.lines.append((t, line.rstrip("\n")))
                self.cv.notify_all()

    def wait(self, since_idx, t0, pred, timeout):
        """First line at index >= since_idx stamped >= t0 matching pred: (t, line) or None."""
        end = time.monotonic() + timeout
        i = since_idx
        with self.cv:
            while True:
                while i < len(self.lines):
                    t, l = self.lines[i]
                    i += 1
                    if t >= t0 and pred(l):
                        return t, l
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self.cv.wait(left)

    def quiet(self, secs=0.3):
        """Until no line arrived for secs (the previous change finished)."""
        while True:
            with self.cv:
                n = len(self.lines)
            time.sleep(secs)
            with self.cv:
                if len(self.lines) == n:
                    return

    def stop(self):
        self.p.terminate()
        self.p.wait()


ANY = re.compile(r"^(add|delete|new|destroy|flush|replace) (element|rule|chain|set|map) inet tern ")
RULEORCHAIN = re.compile(r"^(add|delete|new|destroy) (rule|chain) inet tern ")


def cmd_tern_updates(a):
    pods, _ = load(a.dir)
    mon = Monitor()
    time.sleep(0.5)
    samples = []
    ds = ["--datastore-dir", a.ds]
    plan = relabel_plan(pods, a.relabels)
    jobs = []
    for (i, app) in plan:
        p = pods[i]
        # the pod's dispatch chain (rules) and/or selector sets (elements) change
        jobs.append(("relabel", [a.tern, "label", "pod", p["name"], "-n", p["ns"], f"app={app}"] + ds,
                     lambda l: bool(ANY.match(l))))
    for k in range(a.policies):
        n = k // 2
        f = os.path.join(a.dir, f"extra-{n:03d}.yaml")
        if k % 2 == 0:
            jobs.append(("create", [a.tern, "apply", "-f", f] + ds, lambda l: bool(RULEORCHAIN.match(l))))
        else:
            jobs.append(("delete", [a.tern, "delete", "-f", f] + ds, lambda l: bool(RULEORCHAIN.match(l))))
    for kind, argv, pred in jobs:
        mon.quiet(a.gap)
        with mon.cv:
            idx = len(mon.lines)
        t0 = time.monotonic()
        r = subprocess.run(argv, capture_output=True, text=True)
        t_cli = time.monotonic() - t0
        got = mon.wait(idx, t0, pred, a.timeout)
        s = {"change": kind, "cli_s": t_cli, "rc": r.returncode, "argv": argv[1:5]}
        if r.returncode != 0:
            s["stderr"] = r.stderr[-300:]
        if got:
            s["latency_s"] = got[0] - t0
            s["line"] = got[1][:160]
        samples.append(s)
    mon.stop()
    json.dump(samples, open(a.out, "w"))
    out = {}
    for kind in ("relabel", "create", "delete", "policy"):
        ss = [s for s in samples if s["change"] == kind or (kind == "policy" and s["change"] in ("create", "delete"))]
        lat = [s["latency_s"] for s in ss if "latency_s" in s]
        out[kind] = {"n": len(ss), "seen": len(lat), "p50": pct(lat, 50), "p99": pct(lat, 99), "max": max(lat) if lat else None,
                     "cli_p50": pct([s["cli_s"] for s in ss], 50), "failed": sum(1 for s in ss if s["rc"] != 0)}
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser()
    sp = ap.add_subparsers(dest="cmd", required=True)
    g = sp.add_parser("gen"); g.add_argument("--dir", required=True)
    c = sp.add_parser("check"); c.add_argument("--dir", required=True)
    r = sp.add_parser("render"); r.add_argument("--dir", required=True); r.add_argument("--out", required=True)
    r.add_argument("--version", type=int, default=1); r.add_argument("--no-policies", action="store_true")
    u = sp.add_parser("anchor-updates"); u.add_argument("--dir", required=True); u.add_argument("--changes", type=int, default=50)
    u.add_argument("--out", required=True)
    t = sp.add_parser("tern-updates"); t.add_argument("--dir", required=True); t.add_argument("--tern", required=True)
    t.add_argument("--ds", required=True); t.add_argument("--relabels", type=int, default=200)
    t.add_argument("--policies", type=int, default=50); t.add_argument("--out", required=True)
    t.add_argument("--timeout", type=float, default=3.0); t.add_argument("--gap", type=float, default=0.2)
    a = ap.parse_args()
    {"gen": cmd_gen, "check": cmd_check, "render": cmd_render, "anchor-updates": cmd_anchor_updates,
     "tern-updates": cmd_tern_updates}[a.cmd](a)


if __name__ == "__main__":
    main()
