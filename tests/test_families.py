"""Rule families are found on disk, also where the module finder lists nothing (a frozen build:
PyInstaller's finder without its pkgutil hook), so no rule goes missing from the binary."""

from __future__ import annotations

import pkgutil

import pytest

import trigger_lsp.rules as rules


def test_families_are_the_modules_of_the_package() -> None:
    found = rules.families()
    assert {"tasks", "triggers", "waits", "env", "installed"} <= set(found)
    assert "__init__" not in found


def test_families_without_a_listing_finder(monkeypatch: pytest.MonkeyPatch) -> None:
    listed = rules.families()
    monkeypatch.setattr(pkgutil, "iter_modules", lambda path=None, prefix="": iter(()))
    assert rules.families() == listed
