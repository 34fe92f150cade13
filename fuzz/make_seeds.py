#!/usr/bin/env python3
"""Writes the fuzzer's seed corpus: every captured message and every malformed-corpus case,
each prefixed with the context byte FuzzTarget.swift reads."""
import json, os, pathlib, sys

root = pathlib.Path(__file__).resolve().parent.parent
out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
n = 0

def write(name, ctx, data):
    global n
    (out / name).write_bytes(bytes([ctx]) + data)
    n += 1

for f in sorted((root / "Tests/BGPWireTests/Fixtures/captures").glob("*.bgp")):
    data = f.read_bytes()
    addpath = 2 if f.name.startswith("bird-bird") else 0
    i = 0
    while i + 19 <= len(data):
        length = int.from_bytes(data[i + 16:i + 18], "big")
        if length < 19:
            break
        write(f"{f.stem}-{i}", 1 | addpath, data[i:i + length])
        i += length

corpus = json.loads((root / "Tests/BGPWireTests/Fixtures/malformed/corpus.json").read_text())
for case in corpus:
    c = case["context"]
    ctx = (1 if c.get("fourOctetAS") else 0) | (8 if c.get("extendedMessage") else 0) | (16 if c.get("peerIsExternal") else 0)
    for fam in c.get("addPath", []):
        ctx |= 2 if fam.startswith("ipv4") else 4
    write("corpus-" + case["name"], ctx, bytes.fromhex(case["hex"]))
print(f"{n} seeds in {out}")
