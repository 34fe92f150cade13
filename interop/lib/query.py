#!/usr/bin/env python3
"""jq-free queries for the interop tests (stdlib only). Input on stdin.

Every query prints what it saw (so a failed wait_for can show it) and exits 0
when the condition holds, 1 when it does not, 2 on unparsable input.

  peer-field ADDRESS FIELD        tern status --json: print FIELD of peer ADDRESS
  tern-has-route PREFIX NH ASPATH tern routes --json: a path via NH (ASPATH or __any__)
  tern-no-route PREFIX            tern routes --json: no path for PREFIX
  bird-has-route PREFIX NH ASPATH birdc show route PREFIX all
  bird-no-route PREFIX            birdc show route PREFIX all
  gobgp-has-route PREFIX NH ASPATH gobgp global rib PREFIX -j
  bird-last-error                 birdc show protocols all P: print "Last error" line
  notifications FILE              walk a raw BGP stream file: print each NOTIFICATION
                                  as "NOTIFICATION code/subcode data=HEX" (no stdin)
  corpus-hex FILE NAME            print the hex of a corpus entry (no stdin)
  corpus-field FILE NAME KEY      print expect[KEY] of a corpus entry (no stdin)
  fib-state PREFIX STATE          tern fib --json: the row of PREFIX has STATE
  fib-states [STATE]              tern fib --json: count rows per state; with STATE,
                                  exit 0 only when every row has it
  json-len [MIN]                  a JSON list: print its length; exit 0 when >= MIN
  datastore-field FIELD [VALUE]   tern status --json: print datastore[FIELD] (a list
                                  space-separated); with VALUE, exit 0 only when equal
  established-count MIN           tern status --json: count Established peers; exit 0 when >= MIN
"""
import json
import re
import sys


def load_json():
    raw = sys.stdin.read()
    try:
        return json.loads(raw)
    except ValueError:
        print("not JSON: " + raw.strip()[:400])
        sys.exit(2)


def norm_aspath(v):
    if v is None:
        return ""
    if isinstance(v, list):
        return " ".join(str(x) for x in v)
    return " ".join(str(v).replace("{", " { ").replace("}", " } ").split())


def peer_field(addr, field):
    st = load_json()
    for p in st.get("peers", []):
        if p.get("address") == addr:
            v = p.get(field)
            print(v if not isinstance(v, (dict, list)) else json.dumps(v))
            return 0
    print("no peer %s; peers: %s" % (addr, [(p.get("address"), p.get("state")) for p in st.get("peers", [])]))
    return 1


def tern_paths(prefix):
    data = load_json()
    if isinstance(data, dict):  # tolerate {"routes": [...]} or a single object
        data = data.get("routes", [data])
    return [p for r in data if r.get("prefix") == prefix for p in r.get("paths", [])]


def tern_has_route(prefix, nh, aspath):
    paths = tern_paths(prefix)
    seen = [(p.get("nextHop"), norm_aspath(p.get("asPath")), p.get("source"), p.get("best")) for p in paths]
    print("%s: paths (nextHop, asPath, source, best) = %s; want nextHop=%s asPath=%s" % (prefix, seen, nh, aspath))
    for p in paths:
        if p.get("nextHop") == nh and (aspath == "__any__" or norm_aspath(p.get("asPath")) == norm_aspath(aspath)):
            return 0
    return 1


def tern_no_route(prefix):
    paths = tern_paths(prefix)
    print("%s: %d paths %s" % (prefix, len(paths), [(p.get("nextHop"), p.get("source")) for p in paths]))
    return 0 if not paths else 1


def bird_routes(prefix):
    """Parse `birdc show route PREFIX all` into [{gw, next_hop, as_path, proto}]."""
    text = sys.stdin.read()
    routes, cur = [], None
    for line in text.splitlines():
        m = re.match(r"^(\S+/\d+)?\s+(unicast|blackhole|unreachable|prohibit)\s+\[(\S+)", line)
        if m:
            net = m.group(1)
            if net is None and cur is not None:
                net = cur["net"]
            cur = {"net": net, "kind": m.group(2), "proto": m.group(3), "gw": None, "next_hop": None, "as_path": None}
            routes.append(cur)
            continue
        if cur is None:
            continue
        s = line.strip()
        m = re.match(r"^via (\S+)", s)
        if m:
            cur["gw"] = m.group(1)
        elif s.startswith("BGP.next_hop:"):
            cur["next_hop"] = s.split(":", 1)[1].split()[0] if s.split(":", 1)[1].strip() else ""
        elif s.startswith("BGP.as_path:"):
            cur["as_path"] = s.split(":", 1)[1].strip()
    return text, [r for r in routes if r["net"] == prefix]


def bird_has_route(prefix, nh, aspath):
    text, rs = bird_routes(prefix)
    print("%s: %s; want gw/next_hop=%s as_path=%s" % (prefix, rs or text.strip()[-300:], nh, aspath))
    for r in rs:
        if r["kind"] == "unicast" and (r["gw"] == nh or r["next_hop"] == nh) and \
                (aspath == "__any__" or norm_aspath(r["as_path"]) == norm_aspath(aspath)):
            return 0
    return 1


def bird_no_route(prefix):
    text, rs = bird_routes(prefix)
    print("%s: %s" % (prefix, rs))
    return 0 if not rs else 1


def gobgp_has_route(prefix, nh, aspath):
    data = load_json()
    dests = data.get(prefix, []) if isinstance(data, dict) else []
    seen = []
    ok = False
    for d in dests:
        hop, asp = None, None
        for a in d.get("attrs", []):
            if a.get("type") == 3:
                hop = a.get("nexthop")
            if a.get("type") == 2:
                asp = " ".join(str(x) for seg in a.get("as_paths", []) for x in seg.get("asns", []))
        seen.append((hop, asp, d.get("neighbor-ip"), d.get("best")))
        if hop == nh and (aspath == "__any__" or norm_aspath(asp) == norm_aspath(aspath)):
            ok = True
    print("%s: (nexthop, as_path, neighbor, best) = %s; want %s %s" % (prefix, seen, nh, aspath))
    return 0 if ok else 1


def bird_last_error():
    text = sys.stdin.read()
    for line in text.splitlines():
        if "Last error" in line:
            print(line.strip())
            return 0
    print(text.strip()[-400:])
    return 1


def notifications(path):
    data = open(path, "rb").read()
    i, found = 0, 0
    while i + 19 <= len(data):
        length = int.from_bytes(data[i + 16:i + 18], "big")
        if length < 19:
            break
        if data[i + 18] == 3 and length >= 21:
            print("NOTIFICATION %d/%d data=%s" % (data[i + 19], data[i + 20], data[i + 21:i + length].hex()))
            found += 1
        i += length
    return 0 if found else 1


def corpus(path, name):
    for e in json.load(open(path)):
        if e["name"] == name:
            return e
    print("no corpus entry %s" % name, file=sys.stderr)
    sys.exit(2)


def fib_state(prefix, state):
    rows = load_json()
    for r in rows:
        if r.get("prefix") == prefix:
            print("%s: %s (desired %s; kernel %s; detail %s)" % (prefix, r.get("state"), r.get("desired"),
                                                                 r.get("kernel"), r.get("detail")))
            return 0 if str(r.get("state", "")).startswith(state) else 1
    print("%s: no row in tern fib (%d rows)" % (prefix, len(rows)))
    return 1


def fib_states(state=None):
    rows = load_json()
    counts = {}
    for r in rows:
        st = str(r.get("state", "")).split("(")[0]
        counts[st] = counts.get(st, 0) + 1
    print(" ".join("%s=%d" % kv for kv in sorted(counts.items())) or "no rows")
    if state is None:
        return 0
    bad = [r for r in rows if not str(r.get("state", "")).startswith(state)]
    for r in bad[:10]:
        print("  %s: %s %s" % (r.get("prefix"), r.get("state"), r.get("detail") or ""))
    return 0 if rows and not bad else 1


def json_len(minimum=None):
    v = load_json()
    print(len(v))
    return 0 if minimum is None or len(v) >= int(minimum) else 1


def datastore_field(field, value=None):
    ds = load_json().get("datastore")
    if ds is None:
        print("no datastore in status")
        return 1
    v = ds.get(field)
    text = " ".join(str(x) for x in v) if isinstance(v, list) else ("" if v is None else str(v))
    print(text)
    return 0 if value is None or text == value else 1


def established_count(minimum):
    peers = load_json().get("peers", [])
    up = [p["address"] for p in peers if p.get("state") == "Established"]
    print("%d established: %s (of %s)" % (len(up), " ".join(up), " ".join(p["address"] for p in peers)))
    return 0 if len(up) >= int(minimum) else 1


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "peer-field":
        return peer_field(*args)
    if cmd == "tern-has-route":
        return tern_has_route(*args)
    if cmd == "tern-no-route":
        return tern_no_route(*args)
    if cmd == "bird-has-route":
        return bird_has_route(*args)
    if cmd == "bird-no-route":
        return bird_no_route(*args)
    if cmd == "gobgp-has-route":
        return gobgp_has_route(*args)
    if cmd == "bird-last-error":
        return bird_last_error()
    if cmd == "notifications":
        return notifications(*args)
    if cmd == "corpus-hex":
        print(corpus(*args)["hex"])
        return 0
    if cmd == "corpus-field":
        v = corpus(args[0], args[1])["expect"].get(args[2])
        print(json.dumps(v) if isinstance(v, (list, dict)) else ("" if v is None else v))
        return 0
    if cmd == "fib-state":
        return fib_state(*args)
    if cmd == "fib-states":
        return fib_states(*args)
    if cmd == "json-len":
        return json_len(*args)
    if cmd == "datastore-field":
        return datastore_field(*args)
    if cmd == "established-count":
        return established_count(*args)
    print("unknown query " + cmd)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
