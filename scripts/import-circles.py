#!/usr/bin/env python3
"""Import circles inside each crate: files that import each other, directly or
through a chain. A circle means neither file can be understood (or moved) without
the other; a lower module that reaches up for something is the usual cause.

    scripts/import-circles.py            # print the circles, one per paragraph
    scripts/import-circles.py --max 2    # ... and exit 1 when there are more than 2

For each crate under crates/, every .rs file under src/ is a module (foo.rs and
foo/mod.rs are `foo`). Edges come from `use crate::..`, `use super::..`,
`use self::..` trees and from `crate::a::b` / `super::a` paths written in code.
A path is resolved to the deepest file module it names, following `pub use`
re-exports (`pub use x::Name`, `pub use x::*`) of the module it lands on. A parent's
`pub use` of its own child is a re-export, not a dependency, and is not an edge.
Test code (`#[cfg(test)]` items) is left out: the circles that matter are the
ones in what ships. Comments and string literals are ignored. Stdlib only.
"""

import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def strip_comments_and_strings(text):
    """Blanks comments and the insides of string and char literals, keeping the
    rest (and the line structure) as it is."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            out.append(" ")
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and not (
            i and (text[i - 1].isalnum() or text[i - 1] == "_")
        ):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + len(hashes) + 2)
            i = n if end < 0 else end + 1 + len(hashes)
            out.append('""')
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            out.append('""')
        elif c == "'":
            m = re.match(r"'(\\.[^']*|[^\\'])'", text[i:])
            if m:
                i += len(m.group(0))
                out.append("' '")
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def skip_item(text, i):
    """The index just past the item starting at `i` (its `;` or its brace block)."""
    n = len(text)
    while i < n:
        if text[i] == ";":
            return i + 1
        if text[i] == "{":
            depth = 0
            while i < n:
                if text[i] == "{":
                    depth += 1
                elif text[i] == "}":
                    depth -= 1
                    if depth == 0:
                        return i + 1
                i += 1
            return n
        i += 1
    return n


def strip_test_code(text):
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]", text):
        if m.start() < i:
            continue
        out.append(text[i:m.start()])
        j = m.end()
        # further attributes on the same item
        while True:
            a = re.match(r"\s*#\[[^\]]*\]", text[j:])
            if not a:
                break
            j += a.end()
        i = skip_item(text, j)
    out.append(text[i:])
    return "".join(out)


def expand_use_tree(tree):
    """`a::{b, c::{d, e}}` -> [['a','b'], ['a','c','d'], ['a','c','e']]."""
    tree = re.sub(r"\s+", "", tree)

    def parse(s, pos):
        # returns (list of paths, new pos); a path is a list of segments
        prefix = []
        seg = ""
        while pos < len(s):
            ch = s[pos]
            if ch == "{":
                inner, pos = parse_list(s, pos + 1)
                if seg:
                    prefix.append(seg)
                return [prefix + p for p in inner], pos
            if ch in ",}":
                break
            if s.startswith("::", pos):
                prefix.append(seg)
                seg = ""
                pos += 2
                continue
            seg += ch
            pos += 1
        if seg:
            prefix.append(seg)
        return [prefix], pos

    def parse_list(s, pos):
        paths = []
        while pos < len(s) and s[pos] != "}":
            p, pos = parse(s, pos)
            paths.extend(p)
            if pos < len(s) and s[pos] == ",":
                pos += 1
        return paths, pos + 1

    return parse(tree, 0)[0]


def crate_files(src):
    files = {}
    for dirpath, _dirs, names in os.walk(src):
        for name in names:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, src)[:-3].split(os.sep)
            if rel in (["lib"], ["main"]):
                mod = ()
            elif rel[-1] == "mod":
                mod = tuple(rel[:-1])
            else:
                mod = tuple(rel)
            if mod in files and rel[-1] != "mod":
                continue
            files[mod] = path
    return files


USE_RE = re.compile(r"\b(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);")
PATH_RE = re.compile(r"(?<![\w:])((?:crate|super|self)(?:\s*::\s*(?:\w+|\*))+)")


def analyse_crate(src):
    files = crate_files(src)
    code = {}
    for mod, path in files.items():
        with open(path, encoding="utf-8") as f:
            code[mod] = strip_test_code(strip_comments_and_strings(f.read()))

    # re-exports per module: name -> absolute path; globs: list of absolute paths
    reexports, globs, uses = {}, {}, {}
    for mod, text in code.items():
        reexports[mod], globs[mod], uses[mod] = {}, [], []
        for m in USE_RE.finditer(text):
            body = re.sub(r"\s+as\s+\w+", "", m.group(2))
            for p in expand_use_tree(body):
                p = [s for s in p if s]
                if not p:
                    continue
                absolute = absolutize(mod, p)
                if absolute is None:
                    continue
                is_pub = bool(m.group(1))
                uses[mod].append((absolute, is_pub))
                if is_pub:
                    if p[-1] == "*":
                        globs[mod].append(absolute[:-1])
                    else:
                        reexports[mod][p[-1] if p[-1] != "self" else p[-2]] = absolute
        for m in PATH_RE.finditer(text):
            p = [s.strip() for s in m.group(1).split("::")]
            absolute = absolutize(mod, p)
            if absolute is not None:
                uses[mod].append((absolute, False))

    def resolve(path, seen=0):
        """The file module an absolute path names."""
        path = [s for s in path if s not in ("self",)]
        best = ()
        for k in range(len(path), -1, -1):
            if tuple(path[:k]) in files:
                best = tuple(path[:k])
                break
        rest = path[len(best):]
        if rest and seen < 8:
            name = rest[0]
            if name in reexports.get(best, {}):
                return resolve(reexports[best][name] + rest[1:], seen + 1)
            for g in globs.get(best, []):
                target = resolve(g + [name], seen + 1)
                if target != best and (
                    target[:len(g)] == tuple(g) and len(target) > len(g) or name in reexports.get(target, {})
                ):
                    return target
        return best

    edges = {mod: set() for mod in files}
    for mod, items in uses.items():
        for absolute, is_pub in items:
            target = resolve(absolute)
            if target == mod:
                continue
            if is_pub and target[:len(mod)] == mod:
                continue  # a parent re-exporting its child
            edges[mod].add(target)
    return files, edges


def absolutize(mod, path):
    """`path` as written in module `mod`, made absolute (a list of segments), or None
    for a path outside the crate."""
    if path[0] == "crate":
        return path[1:]
    if path[0] == "self":
        return list(mod) + path[1:]
    if path[0] == "super":
        base = list(mod)
        while path and path[0] == "super":
            base = base[:-1]
            path = path[1:]
        return base + path
    return None


def circles(edges):
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in edges:
                    continue
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(edges[nxt]))))
                elif nxt in on:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--max", type=int, default=None, help="exit 1 when there are more circles than this")
    ap.add_argument("--root", default=ROOT)
    args = ap.parse_args()
    crates_dir = os.path.join(args.root, "crates")
    total = 0
    for crate in sorted(os.listdir(crates_dir)):
        src = os.path.join(crates_dir, crate, "src")
        if not os.path.isdir(src):
            continue
        files, edges = analyse_crate(src)
        for comp in circles(edges):
            total += 1
            print(f"{crate}: circle of {len(comp)} files")
            names = {m: os.path.relpath(files[m], src) for m in comp}
            for m in comp:
                inside = sorted(names[t] for t in edges[m] if t in comp)
                print(f"  {names[m]} -> {', '.join(inside)}")
    print(f"{total} import circle(s)")
    if args.max is not None and total > args.max:
        print(f"more than {args.max}: break them (see docs/ARCHITECTURE.md, Import circles)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
