#!/usr/bin/env python3
"""Turns `swift test --xunit-output` files into `PASS|FAIL|SKIP name` lines for scripts/test.sh.
Reads every file given that exists (XCTest writes X.xml, Swift Testing X-swift-testing.xml)."""
import pathlib, sys
import xml.etree.ElementTree as ET

seen = 0
for path in sys.argv[1:]:
    p = pathlib.Path(path)
    if not p.exists():
        continue
    for tc in ET.parse(p).getroot().iter("testcase"):
        seen += 1
        name = f"swift/{tc.get('classname')}.{tc.get('name')}"
        if tc.find("failure") is not None or tc.find("error") is not None:
            msg = (tc.find("failure") if tc.find("failure") is not None else tc.find("error")).get("message", "")
            print(f"FAIL {name}: {msg[:300]}")
        elif tc.find("skipped") is not None:
            print(f"SKIP {name}: {tc.find('skipped').get('message', '')[:300]}")
        else:
            print(f"PASS {name}")
if seen == 0:
    print("FAIL swift-test: no test results were written")
