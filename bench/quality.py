"""The measured quality of trigger-lsp on the labelled corpus (`tests/corpus/`): per rule, how
many findings it reports, how many a reviewer expects, and how many are true, false or missed.

Each folder of the corpus is one project, checked by the real CLI (`trigger-lsp check --format
json` from inside the folder). Labels live in the corpus itself:

- in source files, a comment on the line where a finding starts: `// expect: rule-a, rule-b`
  (the finding is one a careful reviewer would act on) or `// must-not: rule-a` (this shape must
  never fire). Both may share one comment, separated by `;`: `// expect: a; must-not: b`. A
  block comment works too (`/* expect: a */`), for a line whose `//` comment says something
  else. Only comments are read (through the syntax tree), so a string that looks like a label
  is not one, and the words cannot be mistaken for `trigger-lsp-ignore` suppressions.
- for files that hold no comments (package.json), and for lines whose rule reads the comments
  next to the code (a label naming `max-duration-in-milliseconds` would be read as a comment
  about milliseconds), `tests/corpus/expectations.yaml`: a list of `{path, line, text,
  expect: [...], must-not: [...]}`, where `text` must occur on that line.

A finding is true when an `expect` label on its line names its rule, false otherwise; an
`expect` label with no finding is missed; a `must-not` label whose rule fires on its line is a
must-not failure (also counted as false). The false rate is false / findings.

    python bench/quality.py                  # the table for the default profile (and strict)
    python bench/quality.py --markdown FILE  # also write the report as Markdown
    python bench/quality.py --details        # also list every false, missed and must-not finding
    python bench/quality.py --examples       # also count findings per rule on examples/
    python bench/quality.py --command "python -m trigger_lsp"   # measure another build
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from trigger_lsp.analysis.syntax import grammar_for, is_source_path, parse

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
EXAMPLES = ROOT / "examples"
SIDE_FILE = "expectations.yaml"
# The folders the CLI does not walk either (project/discovery.py SKIP_DIRS, and hidden folders).
SKIP_DIRS = frozenset({"node_modules", "dist", "build", ".trigger", ".git"})
KINDS = ("expect", "must-not")
TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class Label:
    kind: str  # "expect" or "must-not"
    rule: str
    path: str  # relative to the corpus, with forward slashes
    line: int  # 1-based


@dataclass(frozen=True)
class Finding:
    rule: str
    path: str
    line: int
    column: int
    severity: str
    message: str

    def shown(self) -> str:
        return f"{self.path}:{self.line}:{self.column} {self.rule} {self.message}"


@dataclass
class RuleRow:
    findings: int = 0
    expected: int = 0
    true: int = 0
    false: int = 0
    missed: int = 0
    must_not_fired: int = 0


@dataclass
class Comparison:
    findings: list[Finding]
    labels: list[Label]
    true: list[Finding] = field(default_factory=list)
    false: list[Finding] = field(default_factory=list)
    missed: list[Label] = field(default_factory=list)
    must_not_fired: list[tuple[Label, Finding]] = field(default_factory=list)

    def rows(self) -> dict[str, RuleRow]:
        rows: dict[str, RuleRow] = {}

        def row(rule: str) -> RuleRow:
            return rows.setdefault(rule, RuleRow())

        for f in self.findings:
            row(f.rule).findings += 1
        for label in self.labels:
            if label.kind == "expect":
                row(label.rule).expected += 1
        for f in self.true:
            row(f.rule).true += 1
        for f in self.false:
            row(f.rule).false += 1
        for label in self.missed:
            row(label.rule).missed += 1
        for label, _ in self.must_not_fired:
            row(label.rule).must_not_fired += 1
        return dict(sorted(rows.items()))


# --- Labels --------------------------------------------------------------------------------


def parse_label_comment(comment: str) -> list[tuple[str, str]] | None:
    """(kind, rule) pairs of a label comment, or None when the comment is not a label.

    `// expect: a, b; must-not: c` -> [("expect", "a"), ("expect", "b"), ("must-not", "c")].
    """
    body = comment.strip()
    if body.startswith("//"):
        body = body[2:]
    elif body.startswith("/*") and body.endswith("*/"):
        body = body[2:-2]
    else:
        return None
    body = body.strip()
    if not body.startswith(tuple(f"{k}:" for k in KINDS)):
        if any(f"{k}:" in body for k in KINDS):
            raise ValueError(f"a label must start its comment: {comment.strip()!r}")
        return None
    pairs: list[tuple[str, str]] = []
    for part in body.split(";"):
        kind, sep, ids = part.strip().partition(":")
        kind = kind.strip()
        if not sep or kind not in KINDS:
            raise ValueError(f"bad label part {part.strip()!r} in {comment.strip()!r}")
        rules = [r.strip() for r in ids.split(",") if r.strip()]
        if not rules:
            raise ValueError(f"label without a rule id: {comment.strip()!r}")
        for rule in rules:
            if not all(c.islower() or c.isdigit() or c == "-" for c in rule):
                raise ValueError(f"{rule!r} is not a rule id, in {comment.strip()!r}")
            pairs.append((kind, rule))
    return pairs


def _comments(node) -> Iterator:  # type: ignore[no-untyped-def]
    stack = [node]
    while stack:
        cur = stack.pop()
        if cur.type == "comment":
            yield cur
        stack.extend(reversed(cur.children))


def source_labels(path: Path, relative: str) -> list[Label]:
    source = path.read_bytes()
    tree = parse(source, grammar_for(path))
    labels = []
    for comment in _comments(tree.root_node):
        raw = (comment.text or b"").decode("utf-8", "replace")
        try:
            pairs = parse_label_comment(raw)
        except ValueError as exc:
            raise ValueError(f"{relative}:{comment.start_point[0] + 1}: {exc}") from None
        for kind, rule in pairs or ():
            labels.append(Label(kind, rule, relative, comment.start_point[0] + 1))
    return labels


def side_file_labels(corpus: Path) -> list[Label]:
    side = corpus / SIDE_FILE
    if not side.is_file():
        return []
    entries = yaml.safe_load(side.read_text()) or []
    labels = []
    for entry in entries:
        path, line = entry["path"], int(entry["line"])
        if not (corpus / path).is_file():
            raise ValueError(f"{SIDE_FILE}: {path} does not exist")
        lines = (corpus / path).read_text().splitlines()
        expected_text = entry.get("text")
        if expected_text and (line > len(lines) or expected_text not in lines[line - 1]):
            raise ValueError(f"{SIDE_FILE}: {path}:{line} does not contain {expected_text!r}")
        for kind in KINDS:
            rules = entry.get(kind) or []
            for rule in [rules] if isinstance(rules, str) else rules:
                labels.append(Label(kind, rule, path, line))
    return labels


def walk_sources(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if is_source_path(name):
                yield Path(dirpath) / name


def corpus_labels(corpus: Path = CORPUS) -> list[Label]:
    labels = []
    for path in walk_sources(corpus):
        labels += source_labels(path, path.relative_to(corpus).as_posix())
    return labels + side_file_labels(corpus)


# --- Running the CLI -----------------------------------------------------------------------


# Set by --command, to measure another build (say, a checkout of another branch run with
# PYTHONPATH pointing at its `server/`).
COMMAND: list[str] = []


def _command() -> list[str]:
    if COMMAND:
        return COMMAND
    script = Path(sys.executable).parent / "trigger-lsp"
    return [str(script)] if script.exists() else [sys.executable, "-m", "trigger_lsp"]


@cache
def supports_profiles() -> bool:
    """Whether this trigger-lsp's `check` takes `--profile` (added with rule profiles)."""
    result = subprocess.run(
        [*_command(), "check", "--help"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        stdin=subprocess.DEVNULL,
    )
    return "--profile" in result.stdout


def run_check(folder: Path, profile: str | None = None) -> list[dict]:
    """`trigger-lsp check --format json .` inside `folder`; raises on a usage or internal error."""
    args = ["--profile", profile] if profile else []
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIGGER_LSP")}
    result = subprocess.run(
        [*_command(), "check", "--format", "json", *args, "."],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode not in (0, 1):
        raise RuntimeError(
            f"trigger-lsp check in {folder} exited {result.returncode}:\n{result.stderr}"
        )
    return json.loads(result.stdout)


def projects(corpus: Path = CORPUS) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if p.is_dir() and not p.name.startswith("."))


def corpus_findings(corpus: Path = CORPUS, profile: str | None = None) -> list[Finding]:
    found = []
    for project in projects(corpus):
        for f in run_check(project, profile):
            path = (project / f["path"]).resolve().relative_to(corpus.resolve()).as_posix()
            found.append(
                Finding(f["rule"], path, f["line"], f["column"], f["severity"], f["message"])
            )
    return sorted(found, key=lambda f: (f.path, f.line, f.column, f.rule))


def compare(findings: Iterable[Finding], labels: Iterable[Label]) -> Comparison:
    findings, labels = list(findings), list(labels)
    expected = {(lb.path, lb.line, lb.rule) for lb in labels if lb.kind == "expect"}
    forbidden = {(lb.path, lb.line, lb.rule): lb for lb in labels if lb.kind == "must-not"}
    result = Comparison(findings, labels)
    hit: set[tuple[str, int, str]] = set()
    for f in findings:
        key = (f.path, f.line, f.rule)
        if key in expected:
            result.true.append(f)
            hit.add(key)
        else:
            result.false.append(f)
        if key in forbidden:
            result.must_not_fired.append((forbidden[key], f))
    result.missed = [
        lb for lb in labels if lb.kind == "expect" and (lb.path, lb.line, lb.rule) not in hit
    ]
    return result


def conflicting_labels(labels: Iterable[Label]) -> list[Label]:
    """Labels that both expect and forbid one rule on one line (a labelling mistake)."""
    kinds: dict[tuple[str, int, str], set[str]] = {}
    for lb in labels:
        kinds.setdefault((lb.path, lb.line, lb.rule), set()).add(lb.kind)
    bad = {key for key, ks in kinds.items() if len(ks) > 1}
    return [lb for lb in labels if (lb.path, lb.line, lb.rule) in bad]


# --- Report --------------------------------------------------------------------------------


def table(comparison: Comparison) -> list[str]:
    head = "| rule | findings | expected | true | false | missed | must-not fired |"
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|"]
    total = RuleRow()
    for rule, row in comparison.rows().items():
        lines.append(
            f"| `{rule}` | {row.findings} | {row.expected} | {row.true} | {row.false} "
            f"| {row.missed} | {row.must_not_fired} |"
        )
        for name in ("findings", "expected", "true", "false", "missed", "must_not_fired"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    lines.append(
        f"| **total** | {total.findings} | {total.expected} | {total.true} | {total.false} "
        f"| {total.missed} | {total.must_not_fired} |"
    )
    rate = 100 * total.false / total.findings if total.findings else 0.0
    lines += [
        "",
        f"False rate: {total.false} of {total.findings} findings ({rate:.1f} %); "
        f"missed: {total.missed} of {total.expected} expected; "
        f"must-not labels that fired: {total.must_not_fired}.",
    ]
    return lines


def details(comparison: Comparison) -> list[str]:
    out = []
    if comparison.must_not_fired:
        out += ["", "Must-not labels that fired:", ""]
        out += [f"- `{f.shown()}`" for _, f in comparison.must_not_fired]
    forbidden = {id(f) for _, f in comparison.must_not_fired}
    others = [f for f in comparison.false if id(f) not in forbidden]
    if others:
        out += ["", "Other false (unlabelled) findings:", ""]
        out += [f"- `{f.shown()}`" for f in others]
    if comparison.missed:
        out += ["", "Missed (expected, not reported):", ""]
        out += [f"- `{lb.path}:{lb.line} {lb.rule}`" for lb in comparison.missed]
    return out


def profile_delta(default: list[Finding], strict: list[Finding]) -> list[str]:
    base, more = Counter(f.rule for f in default), Counter(f.rule for f in strict)
    lines = ["| rule | default | strict | added by strict |", "|---|---:|---:|---:|"]
    for rule in sorted(set(base) | set(more)):
        lines.append(f"| `{rule}` | {base[rule]} | {more[rule]} | {more[rule] - base[rule]:+d} |")
    total_base, total_more = sum(base.values()), sum(more.values())
    lines.append(f"| **total** | {total_base} | {total_more} | {total_more - total_base:+d} |")
    return lines


def per_rule_counts(found: list[dict]) -> list[str]:
    counts = Counter(f["rule"] for f in found)
    lines = ["| rule | findings |", "|---|---:|"]
    lines += [f"| `{rule}` | {n} |" for rule, n in sorted(counts.items())]
    lines.append(f"| **total** | {sum(counts.values())} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    parser.add_argument("--details", action="store_true", help="list each false/missed finding")
    parser.add_argument("--examples", action="store_true", help="also count findings on examples/")
    parser.add_argument(
        "--command",
        help="the trigger-lsp command to measure (default: the one next to this Python)",
    )
    args = parser.parse_args(argv)
    if args.command:
        COMMAND[:] = shlex.split(args.command)

    labels = corpus_labels(args.corpus)
    conflicts = conflicting_labels(labels)
    if conflicts:
        for lb in conflicts:
            print(f"{lb.path}:{lb.line}: both expect and must-not {lb.rule}", file=sys.stderr)
        return 2
    n_files = sum(1 for _ in walk_sources(args.corpus))
    out = [
        "# trigger-lsp on the labelled corpus",
        "",
        f"{len(projects(args.corpus))} projects, {n_files} source files, "
        f"{sum(lb.kind == 'expect' for lb in labels)} expect labels, "
        f"{sum(lb.kind == 'must-not' for lb in labels)} must-not labels.",
        "",
        "## Default profile",
        "",
    ]
    comparison = compare(corpus_findings(args.corpus), labels)
    out += table(comparison)
    if args.details:
        out += details(comparison)
    out += ["", "## Strict profile", ""]
    if supports_profiles():
        strict = corpus_findings(args.corpus, "strict")
        out += [
            "Labels describe the default profile, so this table only counts: the findings per",
            "rule with `--profile strict`, next to the default's.",
            "",
            *profile_delta(comparison.findings, strict),
        ]
    else:
        out.append("This trigger-lsp has no `--profile` option.")
    if args.examples:
        out += ["", "## examples/ (per rule)", "", *per_rule_counts(run_check(EXAMPLES))]
    text = "\n".join(out)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
