#!/usr/bin/env python3
"""Reads Prometheus text exposition on stdin with the reference parser
(prometheus_client.parser) and prints its samples as JSON, one list of
{"name", "labels", "value"} objects. A parse error exits non-zero.

Used by crates/kindred-server/tests/integration/metrics.rs; prometheus-client is
installed into .venv by scripts/test.sh (tests/client/requirements.txt).
"""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def main() -> None:
    text = sys.stdin.read()
    samples = []
    types = {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for s in family.samples:
            value = s.value
            if math.isinf(value):
                value = "+Inf" if value > 0 else "-Inf"
            elif math.isnan(value):
                value = "NaN"
            samples.append({"name": s.name, "labels": s.labels, "value": value})
    json.dump({"types": types, "samples": samples}, sys.stdout)


if __name__ == "__main__":
    main()
