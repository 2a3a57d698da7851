"""TaskLookup.sites_of reads the index's trigger sites once, by the id or task object they
name (issue 19: the code lenses of a 10,000-line file asked each task about every site, 0.5 s):
the same sites, in the same order, as asking each site about each entry."""

from __future__ import annotations

from pathlib import Path

from trigger_lsp.lsp.features.navigation import TaskLookup
from trigger_lsp.lsp.state import Session

PROJECTS = Path(__file__).parent.parent / "projects"


def test_sites_of_equals_asking_every_site() -> None:
    session = Session()
    files = sorted(p for p in PROJECTS.rglob("*.ts") if "node_modules" not in p.parts)
    for path in files:
        session.index_from_disk(path)
    lookup = TaskLookup(session)
    entries = [e for path in files for e in session.index.in_file(path) or []]
    sites = session.index.sites()
    assert entries and sites
    asked = 0
    for entry in entries:
        naive = [s for s in sites if lookup.names(s, entry)]
        assert lookup.sites_of([entry]) == naive, entry
        asked += bool(naive)
    assert asked  # some entries are triggered somewhere
    every = [s for s in sites if any(lookup.names(s, e) for e in entries)]
    assert lookup.sites_of(entries) == every
