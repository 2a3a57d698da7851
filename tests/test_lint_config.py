"""The `.trigger-lsp.yaml` file: levels, globs, SDK version, and one clear error when broken."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from trigger_lsp.project.lint_config import (
    LintConfig,
    find_lint_config,
    glob_match,
    parse_lint_config,
    read_lint_config,
)

KNOWN = frozenset({"task-missing-id", "payload-date", "wait-in-loop", "all"})


def read(tmp_path: Path, text: str | bytes, known: frozenset[str] | None = KNOWN) -> LintConfig:
    path = tmp_path / ".trigger-lsp.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return read_lint_config(path, known)


def test_a_full_config(tmp_path: Path) -> None:
    config = read(
        tmp_path,
        """
rules:
  payload-date: on
  wait-in-loop: off
  task-missing-id: warning
include: ["src/**"]
exclude:
  - "src/legacy"
  - "**/*.test.ts"
sdk-version: "4.7.0"
""",
    )
    assert config.error is None
    assert config.rules == {
        "payload-date": "on",
        "wait-in-loop": "off",
        "task-missing-id": "warning",
    }
    assert config.include == ("src/**",)
    assert config.exclude == ("src/legacy", "**/*.test.ts")
    assert config.sdk_version == "4.7.0"
    assert config.directory == tmp_path


@pytest.mark.parametrize(
    ("written", "expected"),
    [("4", "4"), ("4.1", "4.1"), ("3.10", "3.10"), ('"3.3.17"', "3.3.17"), ("^4.2.0", "^4.2.0")],
)
def test_sdk_version_keeps_what_was_written(tmp_path: Path, written: str, expected: str) -> None:
    assert read(tmp_path, f"sdk-version: {written}\n").sdk_version == expected


def test_empty_and_comment_only_files_are_defaults(tmp_path: Path) -> None:
    assert read(tmp_path, "").error is None
    assert read(tmp_path, "# nothing yet\n").rules == {}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("rules: [oops\n", "invalid YAML"),
        ("rules:\n  a: on\n b: off\n", "invalid YAML"),
        ("- just\n- a list\n", "top level must be a mapping"),
        ("severity: high\n", "unknown key 'severity'"),
        ("rules: payload-date\n", "'rules' must map rule ids"),
        ("rules:\n  payload-date: loud\n", "use off, on, error, warning, info or hint"),
        ("rules:\n  no-such-rule: on\n", "unknown rule 'no-such-rule'"),
        ("include: 5\n", "'include' must be a list of glob strings"),
        ("exclude: [1, 2]\n", "'exclude' must be a list of glob strings"),
        ("sdk-version: [4]\n", "'sdk-version' must be a version string"),
        ("profile: pedantic\n", "'profile' is 'pedantic'; use recommended or strict"),
        ("profile: [strict]\n", "use recommended or strict"),
        ("[" * 3000 + "]" * 3000, "invalid YAML"),
    ],
)
def test_broken_configs_give_one_clear_error_and_defaults(
    tmp_path: Path, text: str, fragment: str
) -> None:
    config = read(tmp_path, text)
    assert config.error is not None and fragment in config.error
    assert str(tmp_path / ".trigger-lsp.yaml") in config.error
    assert config.rules == {} and config.include == () and config.exclude == ()


@pytest.mark.parametrize("profile", ["recommended", "strict"])
def test_the_profile(tmp_path: Path, profile: str) -> None:
    config = read(tmp_path, f"profile: {profile}\nrules:\n  payload-date: on\n")
    assert config.error is None
    assert (config.profile, config.rules) == (profile, {"payload-date": "on"})
    assert read(tmp_path, "rules: {}\n").profile is None  # not chosen: the editor's or default


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    config = read(tmp_path, "rules:\n  payload-date: on\n  bad: [\n")
    assert config.error is not None and ".trigger-lsp.yaml:" in config.error


def test_non_utf8_and_oversized_files(tmp_path: Path) -> None:
    assert "not UTF-8" in (read(tmp_path, b"rules:\n  \xff\xfe: on\n").error or "")
    big = read(tmp_path, "# " + "x" * 300_000 + "\n")
    assert big.error is not None and "too large" in big.error


def test_unknown_rules_pass_when_the_rule_list_is_not_given(tmp_path: Path) -> None:
    assert read(tmp_path, "rules:\n  later-rule: on\n", known=None).error is None


def test_boolean_levels(tmp_path: Path) -> None:
    config = read(tmp_path, "rules:\n  payload-date: true\n  wait-in-loop: false\n")
    assert config.rules == {"payload-date": "on", "wait-in-loop": "off"}


def test_parse_from_editor_settings() -> None:
    config = parse_lint_config(None, {"rules": {"payload-date": "on"}}, KNOWN)
    assert config.error is None and config.rules == {"payload-date": "on"}
    bad = parse_lint_config(None, {"rules": {"payload-date": 3}}, KNOWN)
    assert bad.error is not None and bad.error.startswith("settings:")


@pytest.mark.parametrize(
    ("glob", "path", "expected"),
    [
        ("src/**", "src/trigger/a.ts", True),
        ("src/**", "lib/a.ts", False),
        ("**/*.test.ts", "src/deep/x/a.test.ts", True),
        ("**/*.test.ts", "a.test.ts", True),
        ("*.ts", "a.ts", True),
        ("*.ts", "src/a.ts", False),
        ("src/legacy", "src/legacy/old/a.ts", True),
        ("src/legacy/", "src/legacy/a.ts", True),
        ("./src/legacy", "src/legacy/a.ts", True),
        ("src/legacy", "src/legacy-new/a.ts", False),
        ("src/?.ts", "src/a.ts", True),
        ("src/?.ts", "src/ab.ts", False),
        ("src/[a].ts", "src/[a].ts", True),
        # Braces (issue 14: they silently matched nothing before wcmatch)
        ("src/**/*.{ts,tsx}", "src/trigger/deep/a.tsx", True),
        ("src/**/*.{ts,tsx}", "src/a.ts", True),
        ("src/**/*.{ts,tsx}", "src/a.js", False),
        ("{a,b}" * 30, "ab", False),  # more expansions than wcmatch allows: matches nothing
    ],
)
def test_glob_match(glob: str, path: str, expected: bool) -> None:
    assert glob_match(glob, PurePosixPath(path)) is expected


def test_selects_uses_paths_relative_to_the_config(tmp_path: Path) -> None:
    config = read(tmp_path, 'include: ["src/**"]\nexclude: ["src/legacy"]\n')
    assert config.selects(tmp_path / "src/trigger/a.ts")
    assert not config.selects(tmp_path / "src/legacy/a.ts")
    assert not config.selects(tmp_path / "scripts/a.ts")
    # Files outside the config's folder are not its business.
    assert config.selects(tmp_path.parent / "elsewhere.ts")
    assert LintConfig().selects(Path("/any/file.ts"))


def test_find_lint_config_walks_up(tmp_path: Path) -> None:
    (tmp_path / "a/b").mkdir(parents=True)
    (tmp_path / ".trigger-lsp.yaml").write_text("")
    assert find_lint_config(tmp_path / "a/b") == tmp_path / ".trigger-lsp.yaml"
    assert find_lint_config(tmp_path / "a/b", stop=tmp_path / "a") is None


def test_editor_settings_profile() -> None:
    from trigger_lsp.lsp.settings import parse_settings

    known = frozenset({"payload-date"})
    settings, problems = parse_settings({"trigger-lsp": {"profile": "strict"}}, known)
    assert (settings.profile, problems) == ("strict", [])
    kept, problems = parse_settings({"profile": "loud"}, known, settings)
    assert kept.profile == "strict" and problems == [
        '\'profile\' must be "recommended" or "strict"'
    ]
    assert parse_settings({}, known)[0].profile is None  # not chosen
