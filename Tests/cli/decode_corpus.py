#!/usr/bin/env python3
"""Runs `tern decode --hex` on every case of the malformed-message corpus and checks that the
printed classification (action, NOTIFICATION code/subcode/data, withdrawn prefixes, discarded
attribute) and the exit status are what the case expects. Also checks exit status 2 on a usage
error. Prints one line per check: `PASS name`, `FAIL name: why`; exit 1 if any failed."""
import json, pathlib, subprocess, sys

root = pathlib.Path(__file__).resolve().parents[2]
tern = sys.argv[1] if len(sys.argv) > 1 else str(root / ".build/debug/tern")
corpus = json.loads((root / "Tests/BGPWireTests/Fixtures/malformed/corpus.json").read_text())

def run(args):
    p = subprocess.run([tern, "decode", *args], capture_output=True, text=True, timeout=30)
    lines = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    return p.returncode, lines, p.stderr

def check(case):
    c, e = case["context"], case["expect"]
    args = ["--hex", case["hex"]]
    if c.get("fourOctetAS"): args.append("--four-octet-as")
    if c.get("extendedMessage"): args.append("--extended-message")
    if c.get("peerIsExternal"): args.append("--ebgp")
    for fam in c.get("addPath", []):
        args += ["--add-path", fam.split("-")[0]]
    if not (c.get("fourOctetAS") or c.get("extendedMessage") or c.get("peerIsExternal") or c.get("addPath")):
        # A 2-octet context with no flag would be negotiated from an OPEN in the stream; the
        # corpus means "no capabilities", which is what a lone message gets too.
        pass
    rc, lines, err = run(args)
    errors = [l["error"] for l in lines if "error" in l]
    want = e["action"]
    if want == "ok":
        if rc != 0 or errors:
            return f"expected ok, got exit {rc} errors {errors} {err.strip()}"
        if not any("type" in l for l in lines):
            return "expected a decoded message, none printed"
        return None
    if rc != 1:
        return f"expected exit 1, got {rc} ({err.strip()})"
    actions = [x["action"] for x in errors]
    if want == "session-reset":
        resets = [x for x in errors if x["action"] == "session-reset"]
        if not resets:
            return f"expected session-reset, got {actions}"
        n = resets[0]["notification"]
        if (n["code"], n["subcode"]) != (e["code"], e["subcode"]):
            return f"expected {e['code']}/{e['subcode']}, got {n['code']}/{n['subcode']} ({resets[0]['reason']})"
        if "data" in e and n.get("data", "") != e["data"]:
            return f"expected data {e['data']}, got {n.get('data', '')}"
        return None
    if "session-reset" in actions:
        return f"expected {want}, got a reset: {errors}"
    if want == "treat-as-withdraw":
        tw = [x for x in errors if x["action"] == "treat-as-withdraw"]
        if not tw:
            return f"expected treat-as-withdraw, got {actions}"
        if sorted(tw[0].get("withdrawn", [])) != sorted(e.get("withdrawn", [])):
            return f"withdrawn {sorted(tw[0].get('withdrawn', []))} != expected {sorted(e.get('withdrawn', []))}"
        return None
    if want == "attribute-discard":
        if "treat-as-withdraw" in actions:
            return f"expected only attribute-discard, got {actions}"
        codes = [x.get("attribute", {}).get("code") for x in errors if x["action"] == "attribute-discard"]
        if e["discardedAttribute"] not in codes:
            return f"expected discard of attribute {e['discardedAttribute']}, got {codes}"
        return None
    return f"unknown expected action {want}"

failed = 0
for case in corpus:
    why = check(case)
    if why:
        failed += 1
        print(f"FAIL decode-corpus/{case['name']}: {why}")
    else:
        print(f"PASS decode-corpus/{case['name']}")

rc, _, err = run(["--hex", "zz"])
if rc == 2 and err.strip():
    print("PASS decode-usage-error-exit-2")
else:
    failed += 1
    print(f"FAIL decode-usage-error-exit-2: exit {rc}, stderr {err!r}")
sys.exit(1 if failed else 0)
