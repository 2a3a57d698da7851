"""Deterministic generator of a large TypeScript monorepo for the scale benchmarks (issue 19).

About `files` source files (20,000 by default) in pnpm-style workspaces: two web apps, an API,
shared packages (UI kit, database, utilities, e-mail, analytics) and one Trigger.dev package
(`apps/jobs`, with its own package.json, trigger.config.ts and task folder). About 1 % of the
files import the SDK: the task files, and the API routes of the web app that trigger them. The
rest is ordinary application code (components, hooks, routes, services, schemas, tests), some
of which says "trigger" for other reasons (menu triggers of a UI kit, database triggers, a form
library's `trigger()`).

Build output that a .gitignore keeps out of the repository is there too, as after a build:
compiled copies of the task files (`apps/jobs/out/`), compiled packages (`packages/*/lib/`),
a coverage report, a generated database client ignored by a nested .gitignore, and a scratch
folder ignored by .git/info/exclude. Checked, they would report findings: a linter that honours
the ignore files reports none there. No node_modules.

    python bench/gen_monorepo.py OUT [--files 20000] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
from pathlib import Path

from gen_tasks import task_file

WORDS = (
    "account", "billing", "profile", "search", "invite", "audit", "session", "upload",
    "report", "widget", "theme", "locale", "team", "project", "comment", "message", "order",
    "catalog", "payment", "webhook", "setting", "member", "schedule", "export", "review",
)  # fmt: skip
KINDS = ("card", "list", "panel", "form", "table", "dialog", "badge", "header", "footer", "row")


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


class _Repo:
    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.rng = random.Random(seed)
        self.written = 0
        self.ignored = 0

    def write(self, rel: str, text: str, *, ignored: bool = False) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        if ignored:
            self.ignored += 1
        elif rel.endswith((".ts", ".tsx", ".js", ".jsx", ".mts", ".cts", ".mjs", ".cjs")):
            self.written += 1

    def name(self, i: int) -> tuple[str, str]:
        word, kind = self.rng.choice(WORDS), self.rng.choice(KINDS)
        return word, f"{word}{_cap(kind)}{i}"

    # --- ordinary sources -------------------------------------------------------------------
    def component(self, i: int, menu: bool, form: bool = False) -> str:
        word, name = self.name(i)
        props = f"{_cap(name)}Props"
        lines = ['import { useState } from "react";', 'import { cn } from "@acme/utils";']
        if form:  # a form library's `trigger()` (validation): a call named like a task's
            lines.append('import { useForm } from "react-hook-form";')
        if menu:  # a UI kit's menu: says "Trigger", imports no SDK
            lines.append(
                "import { DropdownMenu, DropdownMenuContent, DropdownMenuTrigger } "
                'from "@acme/ui/dropdown";'
            )
        lines += [
            "",
            f"export interface {props} {{",
            "  title: string;",
            "  items: { id: string; label: string }[];",
            "  onSelect?: (id: string) => void;",
            "}",
            "",
            f"export function {_cap(name)}({{ title, items, onSelect }}: {props}) {{",
            "  const [open, setOpen] = useState(false);",
            *(["  const { trigger } = useForm();", '  void trigger("title");'] if form else []),
            f'  const visible = items.filter((item) => item.label.includes("{word}"));',
            "  return (",
            f'    <section className={{cn("{word}", open && "is-open")}}>',
            "      <h2 onClick={() => setOpen(!open)}>{title}</h2>",
        ]
        if menu:
            lines += [
                "      <DropdownMenu>",
                "        <DropdownMenuTrigger>More</DropdownMenuTrigger>",
                "        <DropdownMenuContent />",
                "      </DropdownMenu>",
            ]
        lines += [
            "      <ul>",
            "        {visible.map((item) => (",
            "          <li key={item.id} onClick={() => onSelect?.(item.id)}>",
            "            {item.label}",
            "          </li>",
            "        ))}",
            "      </ul>",
            "    </section>",
            "  );",
            "}",
        ]
        return "\n".join(lines) + "\n"

    def hook(self, i: int) -> str:
        word, name = self.name(i)
        return (
            'import { useEffect, useState } from "react";\n\n'
            f"export function use{_cap(name)}(id: string) {{\n"
            "  const [data, setData] = useState<unknown>(null);\n"
            "  useEffect(() => {\n"
            "    let cancelled = false;\n"
            f"    fetch(`/api/{word}/${{id}}`)\n"
            "      .then((res) => res.json())\n"
            "      .then((json) => {\n"
            "        if (!cancelled) setData(json);\n"
            "      });\n"
            "    return () => {\n"
            "      cancelled = true;\n"
            "    };\n"
            "  }, [id]);\n"
            "  return data;\n"
            "}\n"
        )

    def service(self, i: int, helper: bool = False) -> str:
        word, name = self.name(i)
        head = 'import { z } from "zod";\n'
        if not helper:
            head += 'import { db } from "@acme/db";\n'
        body = [
            head,
            f"export const {name}Schema = z.object({{",
            "  id: z.string().uuid(),",
            "  name: z.string().min(1),",
            "  createdAt: z.coerce.date(),",
            "});",
            "",
            f"export type {_cap(name)} = z.infer<typeof {name}Schema>;",
            "",
            f"export async function list{_cap(name)}s(limit = 20): Promise<{_cap(name)}[]> {{",
        ]
        if helper:
            body += [
                f'  const res = await fetch("https://api.example.com/{word}?limit=" + limit);',
                f"  return {name}Schema.array().parse(await res.json());",
            ]
        else:
            body += [f'  const rows = await db.query("select * from {word} limit $1", [limit]);']
            body += [f"  return rows.map((row) => {name}Schema.parse(row));"]
        body += [
            "}",
            "",
            f"export function describe{_cap(name)}(item: {_cap(name)}): string {{",
            "  return `${item.name} (${item.id})`;",
            "}",
        ]
        return "\n".join(body) + "\n"

    def db_trigger(self, i: int) -> str:  # a database trigger: says "trigger", no SDK
        word, _ = self.name(i)
        return (
            'import { sql } from "@acme/db";\n\n'
            f"export const create{_cap(word)}Trigger{i} = sql`\n"
            f"  CREATE TRIGGER {word}_touch_{i} BEFORE UPDATE ON {word}\n"
            "  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();\n"
            "`;\n"
        )

    def route(self, i: int) -> str:
        word, name = self.name(i)
        return (
            'import { Router } from "express";\n'
            f'import {{ list{_cap(name)}s }} from "../services/{name}";\n\n'
            "export const router = Router();\n\n"
            f'router.get("/{word}", async (req, res) => {{\n'
            "  const limit = Number(req.query.limit ?? 20);\n"
            f"  res.json(await list{_cap(name)}s(limit));\n"
            "});\n"
        )

    def test(self, i: int) -> str:
        word, name = self.name(i)
        return (
            'import { describe, expect, it } from "vitest";\n\n'
            f'describe("{name}", () => {{\n'
            f'  it("keeps {word}s", () => {{\n'
            f'    expect(["{word}"].length).toBe(1);\n'
            "  });\n"
            "});\n"
        )

    # --- Trigger.dev sources ----------------------------------------------------------------
    def api_route(self, i: int, task_ids: list[str]) -> str:
        task_id = self.rng.choice(task_ids)
        return (
            'import { tasks } from "@trigger.dev/sdk";\n'
            'import { NextResponse } from "next/server";\n\n'
            "export async function POST(request: Request) {\n"
            "  const body = await request.json();\n"
            f'  const handle = await tasks.trigger("{task_id}", body);\n'
            "  return NextResponse.json({ id: handle.id });\n"
            "}\n"
        )

    def task(self, i: int) -> tuple[str, list[str]]:
        text = task_file(self.rng.choice((60, 120, 200)), seed=7000 + i)
        out, ids = [], []
        for line in text.splitlines():  # ids unique across the project, as a deploy requires
            head, sep, rest = line.partition('id: "')
            if sep and not head.strip():
                line = f"{head}{sep}j{i}-{rest}"
                ids.append(f"j{i}-" + rest.split('"', 1)[0])
            out.append(line)
        return "\n".join(out) + "\n", ids


def _package(name: str, deps: dict[str, str]) -> str:
    return json.dumps({"name": name, "private": True, "dependencies": deps}, indent=2) + "\n"


def generate(root: Path, files: int = 20_000, seed: int = 1) -> dict[str, int]:
    """Write the monorepo; return what was written (source files, ignored files, SDK files)."""
    repo = _Repo(root, seed)
    root.mkdir(parents=True, exist_ok=True)
    repo.write(
        "package.json",
        json.dumps({"name": "acme", "private": True, "workspaces": ["apps/*", "packages/*"]})
        + "\n",
    )
    repo.write(
        ".gitignore",
        "# build output\nnode_modules/\n/apps/jobs/out/\npackages/*/lib/\ncoverage/\n*.log\n",
    )
    repo.write("packages/db/.gitignore", "generated/\n")
    if not (root / ".git").exists():
        try:
            subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError):
            (root / ".git" / "info").mkdir(parents=True, exist_ok=True)
    exclude = root / ".git" / "info" / "exclude"
    exclude.parent.mkdir(parents=True, exist_ok=True)
    exclude.write_text("# local scratch files\nscratch/\n")

    # The Trigger.dev package: 0.8 % of the files are tasks, 0.2 % routes that trigger them.
    n_tasks = max(1, files * 8 // 1000)
    n_routes = max(1, files * 2 // 1000)
    repo.write(
        "apps/jobs/package.json",
        _package("@acme/jobs", {"@trigger.dev/sdk": "4.8.3", "zod": "3.23.8"}),
    )
    repo.write(
        "apps/jobs/trigger.config.ts",
        'import { defineConfig } from "@trigger.dev/sdk";\n\n'
        'export default defineConfig({\n  project: "proj_acmejobs",\n'
        '  dirs: ["./src/trigger"],\n  maxDuration: 3600,\n'
        "  retries: { default: { maxAttempts: 3 } },\n});\n",
    )
    task_ids: list[str] = []
    for i in range(n_tasks):
        text, ids = repo.task(i)
        task_ids += ids
        repo.write(f"apps/jobs/src/trigger/{repo.rng.choice(WORDS)}/task{i}.ts", text)
        # compiled copy, ignored by the root .gitignore
        repo.write(f"apps/jobs/out/trigger/task{i}.js", text, ignored=True)
        if i % 4 == 0:  # ignored by .git/info/exclude
            repo.write(f"scratch/task{i}.ts", text, ignored=True)
    for i in range(n_tasks * 2):
        repo.write(
            f"apps/jobs/src/lib/{repo.rng.choice(WORDS)}/helper{i}.ts", repo.service(i, True)
        )
    repo.write("apps/web/package.json", _package("@acme/web", {"next": "15.0.0", "react": "19"}))
    for i in range(n_routes):
        repo.write(f"apps/web/app/api/jobs/r{i}/route.ts", repo.api_route(i, task_ids))

    # Shared packages, each with its own package.json, and their compiled output (ignored).
    for pkg in ("ui", "db", "utils", "email", "analytics"):
        repo.write(f"packages/{pkg}/package.json", _package(f"@acme/{pkg}", {"zod": "3.23.8"}))
    repo.write("apps/admin/package.json", _package("@acme/admin", {"react": "19"}))
    repo.write("apps/api/package.json", _package("@acme/api", {"express": "4.21.0"}))

    plan = [  # (folder, maker, share of the remaining files)
        ("apps/web/components", "component", 0.18),
        ("apps/web/hooks", "hook", 0.05),
        ("apps/web/lib", "service", 0.06),
        ("apps/admin/components", "component", 0.10),
        ("apps/admin/lib", "service", 0.05),
        ("apps/api/src/services", "service", 0.10),
        ("apps/api/src/routes", "route", 0.08),
        ("packages/ui/src", "component", 0.12),
        ("packages/db/src", "service", 0.05),
        ("packages/db/src/triggers", "db_trigger", 0.01),
        ("packages/utils/src", "service", 0.08),
        ("packages/email/src", "component", 0.04),
        ("packages/analytics/src", "service", 0.03),
        ("apps/web/tests", "test", 0.05),
    ]
    remaining = files - repo.written
    counter = 0
    for folder, maker, share in plan:
        for _ in range(int(remaining * share)):
            counter += 1
            sub = repo.rng.choice(WORDS)
            if maker == "component":
                text = repo.component(counter, counter % 25 == 0, counter % 60 == 0)
                rel = f"{folder}/{sub}/C{counter}.tsx"
            elif maker == "test":
                text, rel = repo.test(counter), f"{folder}/{sub}/t{counter}.test.ts"
            else:
                text = getattr(repo, maker)(counter)
                rel = f"{folder}/{sub}/m{counter}.ts"
            repo.write(rel, text)
            if folder.startswith("packages/") and counter % 20 == 0:
                pkg = folder.split("/")[1]
                repo.write(f"packages/{pkg}/lib/m{counter}.js", text, ignored=True)
    for i in range(files - repo.written):  # round up to the requested count
        repo.write(f"packages/utils/src/extra/e{i}.ts", repo.service(files + i, True))
    for i in range(max(1, files // 200)):
        repo.write(f"packages/db/generated/client{i}.ts", repo.service(i), ignored=True)
        repo.write(f"coverage/lcov-report/f{i}.js", repo.service(i, True), ignored=True)
    return {
        "files": repo.written,
        "ignored": repo.ignored,
        "sdk": n_tasks + n_routes,
        "tasks": len(task_ids),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--files", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print(json.dumps(generate(args.out, args.files, args.seed)))


if __name__ == "__main__":
    main()
