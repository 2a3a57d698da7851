"""The `trigger-lsp` command: check, rules, explain and serve."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from trigger_lsp import __version__

FAIL_LEVELS = ("error", "warning", "info", "hint")
EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="trigger-lsp",
        description="Language server and linter for Trigger.dev task files.",
    )
    p.add_argument("--version", action="version", version=f"trigger-lsp {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="check files and folders (default: the current folder)")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    check.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
    check.add_argument(
        "--enable",
        action="append",
        default=[],
        metavar="RULE",
        help="turn a rule on (repeatable, comma-separated; 'all' for every rule)",
    )
    check.add_argument(
        "--disable",
        action="append",
        default=[],
        metavar="RULE",
        help="turn a rule off (repeatable, comma-separated)",
    )
    check.add_argument(
        "--fail-on",
        choices=FAIL_LEVELS,
        default="error",
        help="exit 1 when a finding at or above this severity is found",
    )
    check.add_argument(
        "--profile",
        choices=("recommended", "strict"),
        default=None,
        help="the rule profile (default: the project file's, else recommended)",
    )
    check.add_argument("--fix", action="store_true", help="apply safe fixes to the files")
    check.add_argument(
        "--unsafe-fixes", action="store_true", help="with --fix, also apply unsafe fixes"
    )
    check.add_argument(
        "--no-ignore",
        action="store_true",
        help="also check files that .gitignore or .git/info/exclude leave out",
    )
    check.add_argument("--jobs", type=int, default=None, help="worker processes (default: cores)")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    check.add_argument(
        "--show-projects",
        action="store_true",
        help="list the projects found, with the SDK and CLI versions assumed and why; no check",
    )

    sub.add_parser("rules", help="list the rules")
    explain = sub.add_parser("explain", help="explain a rule and its sharp edges")
    explain.add_argument("rule")

    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    group = serve.add_mutually_exclusive_group()
    group.add_argument("--stdio", action="store_true", help="use stdio (the default)")
    group.add_argument("--tcp", action="store_true", help="listen on TCP")
    group.add_argument("--ws", action="store_true", help="listen on WebSocket")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=2087)
    serve.add_argument(
        "--token-file",
        type=Path,
        help="with --tcp or --ws: serve only a client that sends this file's contents as "
        "initializationOptions.token",
    )
    return p


def _rule_levels(enable: list[str], disable: list[str], known: set[str]) -> dict[str, str]:
    levels: dict[str, str] = {}
    for values, level in ((enable, "on"), (disable, "off")):
        for value in values:
            for rule_id in filter(None, (v.strip() for v in value.split(","))):
                if rule_id != "all" and rule_id not in known:
                    raise UsageError(f"unknown rule '{rule_id}' (see `trigger-lsp rules`)")
                levels[rule_id] = level
    return levels


def cmd_check(args: argparse.Namespace) -> int:
    from trigger_lsp.cli import formats
    from trigger_lsp.cli.runner import CheckOptions, check_paths
    from trigger_lsp.knowledge.loader import knowledge
    from trigger_lsp.rules import REGISTRY

    kb = knowledge()
    levels = _rule_levels(args.enable, args.disable, set(kb.rules) | set(REGISTRY))
    paths = args.paths or [Path(".")]
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
    if args.unsafe_fixes and not args.fix:
        raise UsageError("--unsafe-fixes goes with --fix")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.show_projects:
        from trigger_lsp.cli import projects

        summaries = projects.summarize(paths)
        report = projects.json_report if args.format == "json" else projects.text_report
        print(report(summaries))
        return EXIT_OK
    roots = tuple(path.resolve() for path in paths)
    options = CheckOptions(
        levels,
        fix=args.fix,
        unsafe_fixes=args.unsafe_fixes,
        profile=args.profile,
        roots=roots,
        respect_gitignore=not args.no_ignore,
    )
    from trigger_lsp.cli.progress import progress_for

    progress = progress_for(sys.stderr, machine_format=args.format != "text")
    try:
        outcomes = check_paths(paths, options, args.jobs, progress)
    finally:
        if progress is not None:
            progress.clear()
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    if args.format == "json":
        out = formats.json_report(outcomes)
    elif args.format == "sarif":
        out = formats.sarif_report(outcomes, kb)
    elif args.format == "github":
        out = formats.github_report(outcomes)
    else:
        out = formats.text_report(outcomes, color)
    try:
        print(out, flush=True)
    except BrokenPipeError:  # `check | head -1`: the report was cut short, the verdict stands
        _discard_stdout()
    if args.format in ("json", "sarif"):
        for o in outcomes:
            for msg in [*o.notes, *o.errors]:
                line = f"{formats.shown(o.path)}: {formats.printable(msg)}"
                print(line, file=sys.stderr)
    threshold = FAIL_LEVELS.index(args.fail_on)
    failing = {lvl for i, lvl in enumerate(FAIL_LEVELS) if i <= threshold}
    found = any(loc.finding.severity.value in failing for o in outcomes for loc in o.located)
    if any(o.internal_error for o in outcomes):
        print(
            "trigger-lsp: internal errors occurred (see above); please report them", file=sys.stderr
        )
        return EXIT_USAGE
    unwritten = sum(1 for o in outcomes if o.write_failed)
    if unwritten:
        noun = "file" if unwritten == 1 else "files"
        print(
            f"trigger-lsp: fixes could not be written to {unwritten} {noun} (see above)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return EXIT_FOUND if found else EXIT_OK


def _discard_stdout() -> None:
    """After the reader of stdout went away, send the rest nowhere (Python would otherwise fail
    flushing it at exit)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def cmd_rules(_: argparse.Namespace) -> int:
    from trigger_lsp.knowledge.loader import knowledge

    kb = knowledge()
    width = max(len(r) for r in kb.rules)
    print(
        f"{'RULE':<{width}}  {'SEVERITY':<8}  {'DEFAULT':<7}  {'PROFILES':<18}  {'FIX':<6}  SUMMARY"
    )
    for rid in sorted(kb.rules):
        doc = kb.rules[rid]
        default = "on" if doc.enabled else "off"
        profiles = ",".join(doc.profiles) or "opt-in"
        summary = " ".join(doc.summary.split())
        print(
            f"{rid:<{width}}  {doc.severity.value:<8}  {default:<7}  {profiles:<18}  "
            f"{doc.fix.value:<6}  {summary}"
        )
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from trigger_lsp.knowledge.loader import knowledge

    kb = knowledge()
    doc = kb.rules.get(args.rule)
    if doc is None:
        raise UsageError(f"unknown rule '{args.rule}' (see `trigger-lsp rules`)")
    out = [f"{doc.id}: {doc.title}", ""]
    out.append(
        f"Severity: {doc.severity.value}   Default: {'on' if doc.enabled else 'off'}   "
        f"Profiles: {', '.join(doc.profiles) or 'none (opt-in)'}   Fix: {doc.fix.value}"
    )
    out += ["", textwrap.fill(" ".join(doc.summary.split()), 96)]
    from trigger_lsp.lsp.explain import version_lines

    for line in version_lines(doc):
        out += ["", textwrap.fill(line, 96)]
    for heading, body in doc.prose.items():
        out += ["", f"## {heading}", body]
    for edge in kb.edges_for(doc.id):
        out += ["", f"# Sharp edge: {edge.title} ({edge.severity})", edge.summary]
        for heading in ("Why it happens", "What to do", "Symptoms"):
            if edge.prose.get(heading):
                out += ["", f"## {heading}", edge.prose[heading]]
        if edge.docs:
            out += ["", f"Docs: {edge.docs}"]
    print("\n".join(out))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    if not (args.tcp or args.ws):
        if args.token_file is not None:
            print("trigger-lsp: --token-file goes with --tcp or --ws", file=sys.stderr)
            return EXIT_USAGE
        from trigger_lsp.lsp.early import serve_stdio

        serve_stdio()  # answers the first messages before the server has loaded
        return EXIT_OK
    from trigger_lsp.lsp.server import run

    token = None
    if args.token_file is not None:
        try:
            with args.token_file.open("rb") as f:
                token = f.read(4096).decode("utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            print(f"trigger-lsp: cannot read --token-file: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if not token:
            print("trigger-lsp: the --token-file is empty", file=sys.stderr)
            return EXIT_USAGE
    run("tcp" if args.tcp else "ws", args.host, args.port, token=token)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the problem
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    handlers = {"check": cmd_check, "rules": cmd_rules, "explain": cmd_explain, "serve": cmd_serve}
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return handlers[args.command](args)
    except UsageError as exc:
        print(f"trigger-lsp: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # never a bare traceback for the user
        from trigger_lsp.knowledge.loader import KnowledgeError

        kind = "invalid reference file" if isinstance(exc, KnowledgeError) else "internal error"
        print(f"trigger-lsp: {kind}: {exc}", file=sys.stderr)
        return EXIT_USAGE
