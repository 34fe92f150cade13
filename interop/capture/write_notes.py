#!/usr/bin/env python3
"""Writes Tests/BGPWireTests/Fixtures/captures/NOTES.md from capture.sh's run (stdlib only)."""
import argparse
import datetime
import glob
import json
import os
import platform
import re

CAPS = {1: "Multiprotocol", 2: "Route Refresh", 5: "Extended Next Hop", 6: "Extended Message",
        64: "Graceful Restart", 65: "4-octet AS", 69: "ADD-PATH", 70: "Enhanced Route Refresh",
        71: "Long-Lived GR", 73: "FQDN", 128: "Route Refresh (old Cisco)"}
TYPES = ["OPEN", "UPDATE", "NOTIFICATION", "KEEPALIVE", "ROUTE-REFRESH"]

SESSIONS = {
    "bird-bird": {
        "title": "Session A: BIRD 2 <-> BIRD 2, eBGP",
        "peers": {"a": "BIRD a, AS 64512, 192.168.77.1 / 2001:db8:77::1 (active)",
                  "b": "BIRD b, AS 64513, 192.168.77.2 / 2001:db8:77::2 (passive)"},
        "configs": ["bird-a.conf", "bird-b.conf"],
        "story": [
            "b starts (passive), then a; a connects. Both send OPEN with IPv4 + IPv6 unicast, "
            "graceful restart, route refresh + enhanced route refresh, 4-octet AS, ADD-PATH "
            "(IPv4, send+receive), long-lived GR. a also offers extended messages (b does not, so "
            "they are not negotiated); a's LLGR capability lists IPv4 and IPv6 (`long lived "
            "graceful restart on`), b's is empty (BIRD's default, LLGR-aware only).",
            "**ADD-PATH is negotiated for IPv4 unicast in both directions**: every IPv4 NLRI and "
            "withdrawn prefix in these two files carries a 4-byte path identifier (RFC 7911). "
            "IPv6 (MP_REACH/MP_UNREACH) has no path identifiers.",
            "Both sides export their static routes (IPv4 in the classic NLRI field, IPv6 in "
            "MP_REACH_NLRI with a global + link-local next hop), with COMMUNITIES, LARGE_COMMUNITY, "
            "EXTENDED COMMUNITIES (route target / route origin, 2- and 4-octet AS), MED, ORIGIN "
            "variants and AS_PATH prepends, then End-of-RIB for IPv4 and IPv6.",
            "Keepalives every 3 s (hold time 9).",
            "`birdc reload in peer_b` on a: a sends ROUTE-REFRESH (IPv4, IPv6); b answers with "
            "enhanced route refresh BoRR, the routes again, EoRR (RFC 7313 subtypes 1 and 2).",
            "`birdc disable static4_extra` / `static6_extra` on a: a withdraws 2 IPv4 prefixes "
            "(withdrawn routes field, with path IDs) and 1 IPv6 prefix (MP_UNREACH_NLRI).",
            "`birdc disable peer_b \"tern capture: session A done\"` on a: NOTIFICATION Cease / "
            "Administrative Shutdown (6/2) with an RFC 9003 shutdown communication; TCP closes.",
        ],
    },
    "bird-gobgp-ibgp": {
        "title": "Session B: BIRD 2 (Calico-style) <-> GoBGP, iBGP",
        "peers": {"bird": "BIRD, AS 64512, 192.168.77.11 / 2001:db8:77::11 (active)",
                  "gobgp": "GoBGP, AS 64512, 192.168.77.12 / 2001:db8:77::12 (passive)"},
        "configs": ["bird-ibgp.conf", "gobgpd-ibgp.toml"],
        "story": [
            "GoBGP starts (passive) and gets its routes with `gobgp global rib add` (below); then "
            "BIRD starts with a config shaped like Calico's confd bird.cfg (`direct;`, "
            "`gateway direct`, `graceful restart`, `connect retry time 5`).",
            "OPENs: BIRD offers IPv4 + IPv6 unicast, route refresh, enhanced route refresh, GR, "
            "LLGR (empty), 4-octet AS; GoBGP offers route refresh, FQDN, IPv4 + IPv6 unicast, "
            "4-octet AS, GR and extended next hop (IPv4 unicast over an IPv6 next hop; BIRD does "
            "not offer it, so not negotiated). No ADD-PATH here: all NLRI are plain.",
            "Both sides send their routes (IPv4 NLRI, IPv6 MP_REACH), iBGP attributes "
            "(LOCAL_PREF), communities, large communities, extended communities, MED, an "
            "AGGREGATOR and an AS_PATH from GoBGP, then End-of-RIB for both families. IPv6 next hops: "
            "BIRD sends 32 bytes (global + link-local, because of `direct;`), GoBGP 16 (global).",
            "`birdc reload in`: BIRD sends ROUTE-REFRESH (IPv4, IPv6); GoBGP resends its routes, each "
            "family followed by End-of-RIB again (GoBGP has no enhanced route refresh, so no "
            "BoRR/EoRR); hence 4 End-of-RIB markers from GoBGP.",
            "Withdrawals: GoBGP `global rib del` of 10.99.9.0/24 and fd00:99:9::/48; BIRD "
            "`disable static4_extra` (10.244.2.192/26).",
            "`gobgp neighbor --reason ... 192.168.77.11 disable`: GoBGP sends NOTIFICATION Cease / "
            "Administrative Shutdown (6/2). GoBGP 3.10 did not put the `--reason` text into it (no "
            "data), whether the flag is given before or after the address.",
        ],
    },
    "bird-gobgp-ebgp": {
        "title": "Session C: BIRD 2 <-> GoBGP, eBGP",
        "peers": {"bird": "BIRD, AS 64512, 192.168.77.21 / 2001:db8:77::21 (active)",
                  "gobgp": "GoBGP, AS 64513, 192.168.77.22 / 2001:db8:77::22 (passive)"},
        "configs": ["bird-ebgp.conf", "gobgpd-ebgp.toml"],
        "story": [
            "As session B but eBGP (no LOCAL_PREF; AS_PATH prepends). BIRD's IPv6 next hops are "
            "global + link-local (eBGP on a shared segment), GoBGP's global only.",
            "Withdrawals from both sides, End-of-RIB from both sides.",
            "`birdc disable gobgp_peer \"tern capture: session C done\"`: BIRD sends NOTIFICATION "
            "Cease / Administrative Shutdown (6/2) with a shutdown communication.",
        ],
    },
}


def notif_text(n):
    data = bytes.fromhex(n["data"])
    s = f"code {n['code']} subcode {n['subcode']}"
    if n["code"] == 6 and n["subcode"] in (2, 4) and data:
        ln = data[0]
        s += f", shutdown communication ({ln} bytes): \"{data[1:1 + ln].decode('utf-8', 'replace')}\""
    elif data:
        s += f", data {n['data']}"
    else:
        s += ", no data"
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--here", required=True)
    ap.add_argument("--bird-version", required=True)
    ap.add_argument("--gobgpd-version", required=True)
    ap.add_argument("--tcpdump-version", required=True)
    a = ap.parse_args()

    with open(os.path.join(a.here, "capture.sh")) as f:
        script = f.read()
    L = []
    w = L.append
    w("# Real BGP session captures")
    w("")
    w("Generated by `interop/capture/capture.sh` (run as root: `sudo interop/capture/capture.sh`); "
      "this file is written by `interop/capture/write_notes.py` in the same run. Do not edit by hand; "
      "re-run the script instead.")
    w("")
    w(f"- Captured: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, "
      f"Linux {platform.release()}")
    w(f"- {a.bird_version.strip()} (`bird --version`)")
    w(f"- {a.gobgpd_version.strip()} (`gobgpd --version`)")
    w(f"- {a.tcpdump_version.strip()}, `tcpdump -i <veth> -w <pcap> -U -s 0 -n 'tcp port 179'`")
    w("")
    w("Each session runs between two network namespaces joined by a veth pair (addresses from "
      "192.168.77.0/24 and 2001:db8:77::/64, only inside those namespaces). tcpdump captures on one "
      "veth end; `interop/capture/pcap2streams.py extract` reassembles each TCP direction by "
      "sequence number and writes the payload as-is. So **`<session>-<sender>.bgp` is the exact "
      "byte sequence of BGP messages `<sender>` wrote to the socket**, from its OPEN to its last "
      "message before close, with nothing added or removed. The `<session>.pcap` files are the "
      "original captures (kept because they are small).")
    w("")
    w("Every stream was checked by `pcap2streams.py validate`: it walks the messages by their "
      "19-byte headers (16 x 0xff marker, length, type) to the exact end of the file; a file that "
      "is empty, has a bad marker/length/type or does not end on a message boundary fails the run.")
    w("")
    w("All sessions: 4-octet AS numbers, hold time 9 s / keepalive 3 s, graceful restart on both "
      "sides, IPv4 and IPv6 unicast on one IPv4 TCP session.")
    w("")
    w("## Files and message counts")
    w("")
    w("| file | sender | bytes | " + " | ".join(TYPES) + " | End-of-RIB | UPDATEs with withdrawals |")
    w("|---|---|---:|" + "---:|" * len(TYPES) + "---:|---:|")
    summaries = {}
    for sess in SESSIONS:
        with open(os.path.join(a.work, f"{sess}.json")) as f:
            summaries[sess] = json.load(f)
        for fname, st in summaries[sess]["streams"].items():
            c = st["counts"]
            d = st["details"]
            w(f"| `{fname}` | {st['sender']} | {st['bytes']} | "
              + " | ".join(str(c.get(t, 0)) for t in TYPES)
              + f" | {d['end_of_rib']} | {d['updates_with_withdrawals']} |")
    w("")
    w("End-of-RIB and withdrawal counts are part of the UPDATE count.")
    pcaps = sorted(os.path.basename(p) for p in glob.glob(os.path.join(a.out, "*.pcap")))
    if pcaps:
        w("Pcaps kept: " + ", ".join(f"`{p}`" for p in pcaps) + ".")
    w("")
    for sess, meta in SESSIONS.items():
        s = summaries[sess]
        w(f"## {meta['title']}")
        w("")
        for name, desc in meta["peers"].items():
            w(f"- `{sess}-{name}.bgp`: sent by {desc}")
        w(f"- TCP connections in the pcap: {s['tcp_connections_in_pcap']} (the first one with payload both ways is used)")
        w("")
        w("What happens, in order:")
        w("")
        for i, line in enumerate(meta["story"], 1):
            w(f"{i}. {line}")
        w("")
        for fname, st in s["streams"].items():
            d = st["details"]
            caps = d["open_capabilities"][0] if d["open_capabilities"] else []
            w(f"`{fname}`:")
            w(f"- OPEN capabilities (in order): " + ", ".join(f"{c} {CAPS.get(c, '?')}" for c in caps))
            w(f"- UPDATEs: {d['ipv4_nlri_updates']} with IPv4 NLRI, {d['mp_reach']} with MP_REACH_NLRI, "
              f"{d['mp_unreach']} with MP_UNREACH_NLRI, {d['end_of_rib']} End-of-RIB, "
              f"{d['updates_with_withdrawals']} with withdrawals; attributes seen: COMMUNITIES in "
              f"{d['communities']}, LARGE_COMMUNITY in {d['large_communities']}, EXTENDED COMMUNITIES "
              f"in {d['ext_communities']}, MED in {d['med']}")
            if d["route_refresh"]:
                w("- ROUTE-REFRESH: " + ", ".join(
                    f"AFI {r['afi']}/SAFI {r['safi']} subtype {r['subtype']}" for r in d["route_refresh"]))
            for n in d["notifications"]:
                w(f"- NOTIFICATION: {notif_text(n)}")
            w(f"- connection closed by this side with: {st['closed_with']}")
            w("")
        for cfg in meta["configs"]:
            ext = "toml" if cfg.endswith(".toml") else ""
            with open(os.path.join(a.here, cfg)) as f:
                body = f.read()
            w(f"<details><summary><code>interop/capture/{cfg}</code></summary>")
            w("")
            w(f"```{ext}")
            w(body.rstrip())
            w("```")
            w("</details>")
            w("")
        if "gobgp" in sess:
            ns_var = "ND" if "ibgp" in sess else "NF"
            block = script.split(f'G="ip netns exec ${ns_var} gobgp"', 1)[1].split("\nbg ", 1)[0]
            cmds = [l.replace("$G ", "gobgp ") for l in block.strip().splitlines() if l.startswith("$G")]
            w("GoBGP routes, added before BIRD starts:")
            w("")
            w("```")
            w("\n".join(cmds))
            w("```")
            w("")
    with open(os.path.join(a.out, "NOTES.md"), "w") as f:
        f.write("\n".join(L).rstrip() + "\n")
    print(f"wrote {os.path.join(a.out, 'NOTES.md')}")


if __name__ == "__main__":
    main()
