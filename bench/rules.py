"""How much of the answer decision is hand-written: word lists, patterns and lines of code in
the modules that decide an answer, and the named checks, at any commit.

    python bench/rules.py              # the working tree
    python bench/rules.py --rev 886fa68

Counted at module level (and in class bodies): a *word list* is a frozenset / set / tuple /
list of string literals, a dict keyed by strings, or a ``.split()`` of a string literal; a
*pattern* is an ``re.compile`` call. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the modules that choose, word and refuse an answer (before and after assistant/reader/)
MODULES = (
    "assistant/backends/extractive.py",
    "assistant/backends/lead.py",
    "assistant/reader/*.py",
    "assistant/reader/checks/*.py",
    "assistant/question.py",
    "assistant/contrast.py",
    "assistant/followup.py",
    "assistant/attribution.py",
    "assistant/sentences.py",
)


def _files(rev: str | None) -> dict[str, str]:
    if rev is None:
        return {
            str(p.relative_to(ROOT)): p.read_text()
            for pattern in MODULES
            for p in sorted(ROOT.glob(pattern))
            if "training" not in p.parts
        }
    names = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", rev], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    out = {}
    for name in names:
        if any(Path(name).match(p) for p in MODULES) and "training" not in name:
            out[name] = subprocess.run(
                ["git", "show", f"{rev}:{name}"], cwd=ROOT, capture_output=True, text=True
            ).stdout
    return out


def _is_words(node: ast.expr) -> bool:
    if isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Name) and f.id in ("frozenset", "set", "tuple") and node.args:
            return _is_words(node.args[0])
        if isinstance(f, ast.Attribute) and f.attr == "split":
            return isinstance(f.value, ast.Constant) and isinstance(f.value.value, str)
        if isinstance(f, ast.Attribute) and f.attr == "fromkeys":
            return bool(node.args) and _is_words(node.args[0])
    if isinstance(node, (ast.Set, ast.List, ast.Tuple)):
        return len(node.elts) >= 2 and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
        )
    if isinstance(node, ast.Dict):
        return len(node.keys) >= 2 and all(
            isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys if k
        )
    return False


def _is_pattern(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "compile"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "re"
    )


def count(files: dict[str, str]) -> dict[str, int]:
    words = patterns = functions = lines = 0
    for text in files.values():
        tree = ast.parse(text)
        lines += sum(1 for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#"))
        bodies = [tree.body] + [n.body for n in tree.body if isinstance(n, ast.ClassDef)]
        for body in bodies:
            for node in body:
                value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
                if value is None:
                    continue
                words += _is_words(value)
                patterns += _is_pattern(value)
        functions += sum(isinstance(n, ast.FunctionDef) for n in ast.walk(tree))
    return {
        "modules": len(files),
        "word_lists": words,
        "patterns": patterns,
        "functions": functions,
        "code_lines": lines,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", help="a commit (default: the working tree)")
    args = parser.parse_args()
    result = count(_files(args.rev))
    if args.rev is None:
        import sys

        sys.path.insert(0, str(ROOT))
        from assistant.reader.checks import registry

        result["named_checks"] = len(registry())
    print(json.dumps({"bench": "rules", "rev": args.rev or "working tree", **result}))


if __name__ == "__main__":
    main()
