#!/usr/bin/env python3
"""Fetches the pinned axe-core release (the accessibility engine the browser tests
run) once into .cache/, checking npm's published SHA-512 integrity. Prints the path
of axe.min.js. The tests themselves never reach beyond loopback: they read this file."""

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.11.0"
URL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
INTEGRITY = "sha512-ilYanEU8vxxBexpJd8cWM4ElSQq4QctCLKih0TSfjIfCQTeyH/6zVrmIJfLPrKTKJRbiG+cfnZbQIjAlJmF1jQ=="

root = Path(__file__).resolve().parents[1]
dest = root / ".cache" / f"axe-core-{VERSION}" / "axe.min.js"
if not dest.is_file():
    with urllib.request.urlopen(URL, timeout=60) as r:
        data = r.read()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != INTEGRITY:
        sys.exit(f"axe-core {VERSION}: integrity mismatch ({digest})")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        member = tar.extractfile("package/axe.min.js")
        if member is None:
            sys.exit("axe-core tarball has no package/axe.min.js")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(member.read())
print(dest)
