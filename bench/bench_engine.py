"""The engine in-process on generated task files: full parse, incremental re-parse after a
one-line edit, and a full analysis; medians in milliseconds."""

from __future__ import annotations

import argparse
from pathlib import Path

from common import WORK, generate, median_time, table

from trigger_lsp.analysis.syntax import parse
from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.lint.engine import analyze

SIZES = (300, 2000, 10_000)


def run(repeat: int) -> str:
    kb = knowledge()
    rows = []
    for lines in SIZES:
        path = generate(lines, WORK / "gen" / f"tasks-{lines}.ts")
        source = path.read_bytes()
        fake = Path("/bench/src/trigger") / path.name
        t_parse, _ = median_time(lambda s=source: parse(s, "typescript"), repeat)

        tree = parse(source, "typescript")
        middle = source.find(b"logger.log(", len(source) // 2)
        insert_at = source.find(b"\n", middle) + 1
        edited = source[:insert_at] + b'    logger.log("x");\n' + source[insert_at:]

        row = source[:insert_at].count(b"\n")

        def reparse(tree=tree, edited=edited, at=insert_at, row=row) -> None:
            old = tree.copy()
            old.edit(at, at, at + 21, (row, 0), (row, 0), (row + 1, 0))
            parse(edited, "typescript", old)

        t_reparse, _ = median_time(reparse, repeat)
        t_analyze, _ = median_time(lambda s=source, f=fake: analyze(s, f, kb=kb), repeat)
        findings = len(analyze(source, fake, kb=kb).findings)
        rows.append(
            [
                f"{lines:,}",
                f"{t_parse * 1000:.1f}",
                f"{t_reparse * 1000:.2f}",
                f"{t_analyze * 1000:.1f}",
                str(findings),
            ]
        )
    return table(
        ["lines", "parse ms", "incremental re-parse ms", "full analysis ms", "findings"], rows
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=7)
    print(run(ap.parse_args().repeat))


if __name__ == "__main__":
    main()
