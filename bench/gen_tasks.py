"""Deterministic generator of Trigger.dev v4 task files for the benchmarks.

A file of exactly `lines` lines: an SDK import, payload types, helpers, plain tasks with their
options, scheduled tasks and parent tasks that trigger the ones above them. Some tasks carry a
problem trigger-lsp reports (no logging, a wait inside a loop, an unawaited trigger), so the
rules have something to find. The same arguments always give the same bytes.

    python bench/gen_tasks.py --lines 2000 --seed 3 -o tasks-2000.ts
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

SUBJECTS = (
    "cart", "ledger", "avatar", "podcast", "coupon", "tenant", "snapshot", "survey", "quote",
    "playlist", "contract", "parcel", "sensor", "forecast", "badge", "article", "catalog",
    "booking", "claim", "feed",
)  # fmt: skip
ACTIONS = (
    "ingest", "dedupe", "price", "tag", "compress", "translate", "rank", "settle", "mirror",
    "audit", "expire", "warm", "split", "merge", "stamp", "route",
)  # fmt: skip
PRESETS = ("micro", "small-1x", "small-2x", "medium-1x", "large-1x")
SCHEDULES = ("5 * * * *", "0 6 * * *", "*/10 * * * *", "0 0 1 * *", "15 3 * * 1")


def _title(word: str) -> str:
    return word[:1].upper() + word[1:]


class _Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.count = 0
        self.tasks: list[tuple[str, str]] = []  # (variable, payload type) defined so far

    def names(self) -> tuple[str, str, str]:
        self.count += 1
        subject, action = self.rng.choice(SUBJECTS), self.rng.choice(ACTIONS)
        variable = f"{action}{_title(subject)}{self.count}"
        return variable, f"{action}-{subject}-{self.count}", f"{_title(subject)}Input{self.count}"

    def payload(self, type_name: str) -> list[str]:
        fields = self.rng.sample(
            [
                "id: string;",
                "count: number;",
                "email: string;",
                "dryRun: boolean;",
                "tags: string[];",
                "cents: number;",
            ],
            3,
        )
        return [f"interface {type_name} {{", *(f"  {f}" for f in fields), "}", ""]

    def helper(self, variable: str) -> list[str]:
        return [
            f"async function load{_title(variable)}(key: string): Promise<string[]> {{",
            '  const parts = key.split(":");',
            "  return parts.filter((part) => part.length > 0);",
            "}",
            "",
        ]

    def plain_task(self) -> list[str]:
        variable, task_id, type_name = self.names()
        flaw = self.count % 5  # every fifth task has something to report
        body = [
            f"    const rows = await load{_title(variable)}(payload.id);",
            '    logger.info("loaded", { rows: rows.length });' if flaw else "",
            "    return { rows: rows.length };",
        ]
        if flaw == 0 and self.tasks:
            body.insert(1, "    for (const row of rows) {")
            body.insert(2, "      await wait.for({ seconds: 1 });")
            body.insert(3, "    }")
        self.tasks.append((variable, type_name))
        return [
            *self.payload(type_name),
            *self.helper(variable),
            f"export const {variable} = task({{",
            f'  id: "{task_id}",',
            f'  machine: "{self.rng.choice(PRESETS)}",',
            f"  maxDuration: {self.rng.choice((60, 300, 900))},",
            f"  retry: {{ maxAttempts: {self.rng.randint(2, 5)} }},",
            f"  run: async (payload: {type_name}) => {{",
            *[line for line in body if line],
            "  },",
            "});",
            "",
        ]

    def scheduled_task(self) -> list[str]:
        variable, task_id, _ = self.names()
        return [
            f"export const {variable} = schedules.task({{",
            f'  id: "{task_id}",',
            f'  cron: {{ pattern: "{self.rng.choice(SCHEDULES)}", timezone: "Europe/Paris" }},',
            "  maxDuration: 120,",
            "  run: async (event) => {",
            '    logger.log("tick", { at: event.timestamp });',
            "  },",
            "});",
            "",
        ]

    def parent_task(self) -> list[str]:
        child, child_type = self.rng.choice(self.tasks)
        variable, task_id, _ = self.names()
        unawaited = self.count % 7 == 0
        call = (
            f'    {child}.trigger({{ id: "x" }} as {child_type});'
            if unawaited
            else f'    const one = await {child}.triggerAndWait({{ id: "x" }} as {child_type});'
        )
        return [
            f"export const {variable} = task({{",
            f'  id: "{task_id}",',
            "  maxDuration: 600,",
            "  queue: { concurrencyLimit: 4 },",
            "  run: async (payload: { ids: string[] }) => {",
            '    logger.info("fan out", { n: payload.ids.length });',
            call,
            f"    const many = await {child}.batchTriggerAndWait(",
            f"      payload.ids.map((id) => ({{ payload: {{ id }} as {child_type} }}))",
            "    );",
            "    return { done: many.runs.length };",
            "  },",
            "});",
            "",
        ]

    def block(self) -> list[str]:
        roll = self.rng.random()
        if self.tasks and roll < 0.2:
            return self.parent_task()
        if roll < 0.3:
            return self.scheduled_task()
        return self.plain_task()


def task_file(lines: int, seed: int = 1) -> str:
    """A task file of exactly `lines` lines (at least 2)."""
    writer = _Writer(random.Random(seed))
    out = ['import { logger, schedules, task, wait } from "@trigger.dev/sdk";', ""]
    while True:
        block = writer.block()
        if len(out) + len(block) > lines:
            break
        out.extend(block)
    while len(out) < lines:
        out.append(f"// padding {len(out)}")
    return "\n".join(out[:lines]) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lines", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", type=Path)
    args = ap.parse_args()
    text = task_file(max(2, args.lines), args.seed)
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
