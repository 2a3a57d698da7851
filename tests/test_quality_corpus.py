"""The labelled corpus (tests/corpus), checked by the real CLI with the default profile.

Every folder of tests/corpus is a small but realistic Trigger.dev project (monorepos with
`workspace:*` and CLI-only packages, pnpm, yarn, npm and bun lockfiles, SDK 3.2, 4.1, 4.5, 4.6
and 4.8, no lockfile at all), labelled inline: `// expect: rule` on the line of each finding a
careful reviewer would act on, `// must-not: rule` on shapes that must never fire (see
bench/quality.py for the label syntax, and tests/corpus/expectations.yaml for package.json).

- a `must-not` label whose rule fires on its line fails `test_no_must_not_label_fires`;
- an `expect` label with no finding fails `test_every_expected_finding_is_reported`.

The numbers (findings, true, false, missed per rule) come from `python bench/quality.py`.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "quality.py"


def _load_quality() -> ModuleType:
    spec = importlib.util.spec_from_file_location("trigger_lsp_bench_quality", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


quality = _load_quality()


@pytest.fixture(scope="module")
def labels() -> list:
    return quality.corpus_labels()


@pytest.fixture(scope="module")
def comparison(labels: list):
    return quality.compare(quality.corpus_findings(), labels)


def test_the_corpus_is_labelled(labels: list) -> None:
    projects = quality.projects()
    sources = list(quality.walk_sources(quality.CORPUS))
    assert len(projects) >= 8, projects
    assert 40 <= len(sources) <= 120, len(sources)
    kinds = {lb.kind for lb in labels}
    assert kinds == {"expect", "must-not"}, kinds
    labelled = {lb.path.split("/")[0] for lb in labels}
    assert labelled == {p.name for p in projects}, "every project carries labels"


def test_no_label_both_expects_and_forbids_a_rule(labels: list) -> None:
    conflicts = quality.conflicting_labels(labels)
    assert not conflicts, "\n".join(f"{lb.path}:{lb.line} {lb.rule}" for lb in conflicts)


def test_label_parsing() -> None:
    parse = quality.parse_label_comment
    assert parse("// expect: a-rule, b-rule; must-not: c-rule") == [
        ("expect", "a-rule"),
        ("expect", "b-rule"),
        ("must-not", "c-rule"),
    ]
    assert parse("/* must-not: env-unchecked */") == [("must-not", "env-unchecked")]
    assert parse("// 10 minutes") is None
    assert parse("// trigger-lsp-ignore env-unchecked -- reason") is None
    assert parse("// expected: nothing here") is None
    with pytest.raises(ValueError):
        parse("// expect: Not_A_Rule")
    with pytest.raises(ValueError):
        parse("// expect: a-rule; maybe: b-rule")
    with pytest.raises(ValueError):  # a label after other words would be silently ignored
        parse("// one hour; must-not: a-rule")


def test_no_must_not_label_fires(comparison) -> None:
    fired = [f"{f.shown()}  (label: must-not {lb.rule})" for lb, f in comparison.must_not_fired]
    assert not fired, f"{len(fired)} must-not labels fired:\n" + "\n".join(fired)


def test_every_expected_finding_is_reported(comparison) -> None:
    missed = [f"{lb.path}:{lb.line} {lb.rule}" for lb in comparison.missed]
    assert not missed, f"{len(missed)} expected findings were not reported:\n" + "\n".join(missed)
