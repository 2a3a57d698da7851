"""The first answers (lsp/early.py): `initialize` and the first documents' diagnostics are
answered before pygls and lsprotocol load, and equal what the server itself answers; the
messages they leave reach the server in order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pygls.protocol import default_converter

from lsp.in_process import InProcess
from lsp.raw import RawServer, did_open, frame, initialize, notification, request
from lsp.session import CLIENTS, capabilities
from trigger_lsp import __version__
from trigger_lsp.lsp import capabilities as built_capabilities
from trigger_lsp.lsp.early import CAPABILITIES, FrameReader, initialize_result
from trigger_lsp.lsp.wire import Locator, diagnostic_json

REPO = Path(__file__).resolve().parents[2]
CONVERTER = default_converter()
PULL = {
    "textDocument": {"diagnostic": {"dynamicRegistration": False}},
    "workspace": {"diagnostics": {"refreshSupport": True}},
}
TASK = textwrap.dedent(
    """\
    import { task } from "@trigger.dev/sdk";

    export const first = task({
      id: "same-id",
      run: async () => {
        const x = 1;
      },
    });
    """
)


def _json(value: Any) -> Any:
    """As it goes on the wire (lsprotocol's enums become their values)."""
    return json.loads(json.dumps(value))


def test_the_capabilities_file_is_current() -> None:
    assert json.loads(CAPABILITIES.read_text(encoding="utf-8")) == _json(
        built_capabilities.snapshot()
    ), "run `python -m trigger_lsp.lsp.capabilities` to write it again"


CLIENT_CAPABILITIES = {
    "none": {},
    **{name: CONVERTER.unstructure(capabilities(name)) for name in CLIENTS},
    "utf-8 first": {"general": {"positionEncodings": ["utf-8", "utf-16"]}},
    "utf-32 only": {"general": {"positionEncodings": ["utf-32"]}},
    "unknown encoding": {"general": {"positionEncodings": ["utf-7"]}},
    "will save": {"textDocument": {"synchronization": {"willSave": True}}},
    "will save wait until": {"textDocument": {"synchronization": {"willSaveWaitUntil": False}}},
    "notebooks": {"notebookDocument": {"synchronization": {}}},
    "file operations": {"workspace": {"fileOperations": {"didRename": True, "willCreate": True}}},
}


@pytest.mark.parametrize("client", CLIENT_CAPABILITIES)
def test_the_first_initialize_answer_is_the_one_pygls_makes(client: str) -> None:
    caps = CLIENT_CAPABILITIES[client]
    early = initialize_result({"capabilities": caps}, __version__)
    assert early["capabilities"] == _json(built_capabilities.built(caps))
    assert early["serverInfo"] == {"name": "trigger-lsp", "version": __version__}


# --- without the protocol library ----------------------------------------------------------------

ALONE = """
import json, os, sys, io
from trigger_lsp.lsp.early import EarlyStart
stream = sys.stdin.buffer.read()
read_end, write_end = os.pipe()
os.write(write_end, stream)
os.close(write_end)
out = io.BytesIO()
handover = EarlyStart(read_end, out).run()
print(json.dumps({
    "loaded": sorted(m for m in ("lsprotocol.types", "pygls.protocol", "cattrs") if m in sys.modules),
    "written": out.getvalue().decode(),
    "unread": handover.unread.decode(),
}))
"""


def _alone(cwd: Path, *messages: dict[str, Any]) -> dict[str, Any]:
    """What the first answers write and leave for `messages`, without the server."""
    run = subprocess.run(
        [sys.executable, "-c", ALONE],
        input=b"".join(frame(m) for m in messages),
        capture_output=True,
        check=True,
        cwd=cwd,
        timeout=120,
    )
    return dict(json.loads(run.stdout))


def test_the_first_answers_need_neither_pygls_nor_lsprotocol(tmp_path: Path) -> None:
    uri = (tmp_path / "src" / "trigger" / "a.ts").as_uri()
    out = _alone(
        tmp_path,
        initialize(capabilities=PULL),
        notification("initialized", {}),
        did_open(uri, TASK),
        request(2, "textDocument/diagnostic", {"textDocument": {"uri": uri}}),
        request(3, "textDocument/hover", {"textDocument": {"uri": uri}, "position": {}}),
        notification("exit", None),
    )
    assert out["loaded"] == []
    written = _messages(out["written"].encode())
    # The project's versions are logged when it is first resolved (a notification).
    logged = [m for m in written if m.get("method") == "window/logMessage"]
    assert [m["params"]["message"] for m in logged] == [
        f"trigger-lsp: project {tmp_path / 'src' / 'trigger'}: @trigger.dev/sdk unknown:"
        " no package.json, node_modules or lockfile; trigger.dev CLI unknown: no package.json,"
        " node_modules or lockfile"
    ]
    written = [m for m in written if m not in logged]
    assert [m.get("id") for m in written] == [1, 2]
    assert "capabilities" in written[0]["result"]
    codes = {d["code"] for d in written[1]["result"]["items"]}
    assert "task-no-logging" in codes
    # Left for the server, in order: initialize (to be answered again and dropped),
    # initialized, then the first message not served and everything after it.
    unread = _messages(out["unread"].encode())
    assert [m["method"] for m in unread] == [
        "initialize",
        "initialized",
        "textDocument/hover",
        "exit",
    ]


# VS Code's language client (9.x), at start: it asks for the settings with
# workspace/configuration, and sends these between its didOpen and its first pull.
VSCODE = {**PULL, "workspace": {**PULL["workspace"], "configuration": True}}


def _vscode_start(uri: str, *after: dict[str, Any]) -> list[dict[str, Any]]:
    symbols = {"textDocument": {"uri": uri}}
    return [
        initialize(capabilities=VSCODE),
        notification("initialized", {}),
        did_open(uri, TASK),
        notification("workspace/didChangeConfiguration", {"settings": None}),
        request(2, "workspace/diagnostic", {"previousResultIds": []}),
        request(3, "textDocument/documentSymbol", symbols),
        request(4, "textDocument/diagnostic", {"textDocument": {"uri": uri}}),
        request(5, "textDocument/codeLens", symbols),
        *after,
    ]


def test_what_vscode_sends_before_its_first_pull_waits_for_the_server(tmp_path: Path) -> None:
    """A change of settings the server asks the client for, and requests that only read,
    are left to the server, and the pull after them is answered here (it waited for pygls:
    0.8 s in VS Code at load 3). Those left reach the server in order, and first."""
    uri = (tmp_path / "src" / "trigger" / "a.ts").as_uri()
    out = _alone(tmp_path, *_vscode_start(uri, notification("exit", None)))
    assert out["loaded"] == []
    written = [m for m in _messages(out["written"].encode()) if "id" in m]
    assert [m["id"] for m in written] == [1, 4]
    assert "task-no-logging" in {d["code"] for d in written[1]["result"]["items"]}
    assert [(m["method"], m.get("id")) for m in _messages(out["unread"].encode())] == [
        ("initialize", 1),
        ("initialized", None),
        ("workspace/didChangeConfiguration", None),
        ("workspace/diagnostic", 2),
        ("textDocument/documentSymbol", 3),
        ("textDocument/codeLens", 5),
        ("exit", None),
    ]


@pytest.mark.parametrize(
    "case", ["settings sent along", "a document opened after a request left", "a change"]
)
def test_what_the_first_answers_would_reorder_goes_to_the_server(tmp_path: Path, case: str) -> None:
    """Not left: settings the client sends in the notification (the server applies them at
    once), a document opened after a request was left (the request would see it), and a
    change (a document's text). The server reads them and everything after them."""
    uri = (tmp_path / "src" / "trigger" / "a.ts").as_uri()
    other = (tmp_path / "src" / "trigger" / "b.ts").as_uri()
    if case == "settings sent along":
        left = notification("workspace/didChangeConfiguration", {"settings": {}})
        messages = [initialize(capabilities=PULL), did_open(uri, TASK), left]
    elif case == "a document opened after a request left":
        left = did_open(other, TASK)
        messages = _vscode_start(uri, left)
    else:
        change = {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": ""}]}
        left = notification("textDocument/didChange", change)
        messages = _vscode_start(uri, left)
    pull = request(9, "textDocument/diagnostic", {"textDocument": {"uri": uri}})
    out = _alone(tmp_path, *messages, pull)
    unread = _messages(out["unread"].encode())
    assert unread[-2:] == [left, pull]
    assert 9 not in [m.get("id") for m in _messages(out["written"].encode())]


def test_the_server_answers_what_was_left_to_it(tmp_path: Path) -> None:
    uri = (tmp_path / "src" / "trigger" / "a.ts").as_uri()
    server = RawServer(tmp_path)
    try:
        server.send(*_vscode_start(uri))
        answers: dict[int, Any] = {}
        configurations = 0  # asked at `initialized` and at the change of settings
        while not ({2, 3, 4, 5} <= set(answers) and configurations == 2):
            message = server.next(30)
            if message.get("method") == "workspace/configuration":  # no settings
                configurations += 1
                items = message["params"]["items"]
                server.send({"jsonrpc": "2.0", "id": message["id"], "result": [None] * len(items)})
            elif "method" in message and "id" in message:  # the server asks: answer null
                server.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif "id" in message:
                answers[message["id"]] = message["result"]
        first = answers[4]
        assert "task-no-logging" in {d["code"] for d in first["items"]}
        assert answers[3] == []  # (document symbols: off by default)
        assert isinstance(answers[5], list)
        assert "items" in answers[2]
        server.send(_pull(6, uri, previousResultId=first["resultId"]))
        assert server.answer(6)["result"] == {"kind": "unchanged", "resultId": first["resultId"]}
    finally:
        _clean(server.close())


BEFORE_INITIALIZE = """
import json, sys
import trigger_lsp.cli.main, trigger_lsp.lsp.early
print(json.dumps(sorted(sys.modules)))
"""


def test_what_answers_initialize_loads_nothing_it_does_not_use() -> None:
    """`serve` answers `initialize` after importing the command line and lsp/early.py: the
    engine, asyncio (about 20 ms), YAML, tree-sitter and the protocol libraries load after
    the answer has gone out."""
    run = subprocess.run(
        [sys.executable, "-c", BEFORE_INITIALIZE], capture_output=True, check=True, timeout=60
    )
    loaded = set(json.loads(run.stdout))
    ours = {m for m in loaded if m.startswith("trigger_lsp")}
    assert ours <= {
        "trigger_lsp",
        "trigger_lsp.cli",
        "trigger_lsp.cli.main",
        "trigger_lsp.lsp",
        "trigger_lsp.lsp.clients",
        "trigger_lsp.lsp.early",
        "trigger_lsp.lsp.framing",
        "trigger_lsp.lsp.handover",
        "trigger_lsp.lsp.stdio",
    }
    heavy = ("asyncio", "concurrent", "yaml", "tree_sitter", "pygls", "lsprotocol", "wcmatch")
    assert not {m.split(".")[0] for m in loaded} & set(heavy)


def test_the_engine_loads_no_glob_matcher_until_a_pattern_is_given() -> None:
    """wcmatch compiles some 30 regular expressions when imported (8 ms before the first
    diagnostics): it loads with the first glob a project gives."""
    code = (
        "import json, sys; import trigger_lsp.lsp.early_state; from trigger_lsp.project import"
        " globs; before = 'wcmatch' in sys.modules; globs.matches('src/**/*.{ts,tsx}', 'src/a.ts');"
        " print(json.dumps([before, 'wcmatch' in sys.modules]))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, timeout=60)
    assert json.loads(run.stdout) == [False, True]


def _messages(raw: bytes) -> list[dict[str, Any]]:
    out = []
    while raw:
        header, _, rest = raw.partition(b"\r\n\r\n")
        length = int(header.split(b":")[1])
        out.append(json.loads(rest[:length]))
        raw = rest[length:]
    return out


# --- the real server -------------------------------------------------------------------------------


def _clean(stderr: str) -> None:
    assert "early" not in stderr and "Traceback" not in stderr, stderr


def _started(root: Path, *after: dict[str, Any], **init: Any) -> tuple[RawServer, str]:
    """A server sent initialize (with `init`), initialized, the opening of TASK, then `after`."""
    uri = (root / "src" / "trigger" / "a.ts").as_uri()
    server = RawServer(root)
    first = [initialize(rootUri=root.as_uri(), **init), notification("initialized", {})]
    server.send(*first, did_open(uri, TASK), *after)
    return server, uri


def _pull(msg_id: int, uri: str, **extra: Any) -> dict[str, Any]:
    return request(msg_id, "textDocument/diagnostic", {"textDocument": {"uri": uri}, **extra})


def test_a_pulled_first_answer_equals_the_servers(tmp_path: Path) -> None:
    server, uri = _started(tmp_path, _pull(2, "file:///nowhere.ts"), capabilities=PULL)
    try:
        assert server.answer(2)["result"] == {"kind": "full", "items": []}  # not open
        server.send(_pull(3, uri))
        first = server.answer(3)["result"]
        assert {d["code"] for d in first["items"]} >= {"task-no-logging"}
        # A request the first answers leave to the server: it loads and takes over.
        position = {"line": 2, "character": 14}
        hover = {"textDocument": {"uri": uri}, "position": position}
        server.send(request(4, "textDocument/hover", hover))
        assert server.answer(4).get("error") is None
        server.send(_pull(5, uri))
        assert server.answer(5)["result"] == first
        server.send(_pull(6, uri, previousResultId=first["resultId"]))
        assert server.answer(6)["result"] == {"kind": "unchanged", "resultId": first["resultId"]}
    finally:
        _clean(server.close())


def test_a_published_first_answer_equals_the_servers(tmp_path: Path) -> None:
    server, uri = _started(tmp_path)
    try:
        first = server.publish(uri)
        assert first["version"] == 1 and first["diagnostics"]
        at = {"line": 0, "character": 0}
        nothing = {"range": {"start": at, "end": at}, "text": ""}
        change = {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [nothing]}
        server.send(notification("textDocument/didChange", change))
        again = server.publish(uri)
        while again.get("version") != 2:
            again = server.publish(uri)
        assert again["diagnostics"] == first["diagnostics"]
    finally:
        _clean(server.close())


def test_messages_sent_together_are_read_in_order(tmp_path: Path) -> None:
    """A change right after the open (not served by the first answers) comes before the pull
    that follows it: the pull sees the changed text."""
    uri = (tmp_path / "src" / "trigger" / "a.ts").as_uri()
    logged = TASK.replace("const x = 1;", 'logger.log("x");')
    logged = logged.replace("{ task }", "{ logger, task }")
    whole = {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": logged}]}
    change = notification("textDocument/didChange", whole)
    server, _ = _started(tmp_path, change, _pull(2, uri), capabilities=PULL)
    try:
        codes = {d["code"] for d in server.answer(2)["result"]["items"]}
        assert "task-no-logging" not in codes
    finally:
        _clean(server.close())


def test_a_bad_setting_is_shown_once_across_the_handover(tmp_path: Path) -> None:
    server, uri = _started(tmp_path, initializationOptions={"colour": "blue"})
    try:
        server.publish(uri)
        server.send(request(2, "workspace/symbol", {"query": ""}))
        server.answer(2)
    finally:
        _clean(server.close())
    shown = [m for m in server.seen if m.get("method") == "window/showMessage"]
    assert len(shown) == 1 and "unknown setting 'colour'" in shown[0]["params"]["message"]


def test_an_initialize_pygls_rejects_is_left_to_pygls(tmp_path: Path) -> None:
    server = RawServer(tmp_path)
    try:
        server.send(
            {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None}}
        )
        assert "error" in server.answer(1)
        server.send(initialize(2))
        assert "capabilities" in server.answer(2)["result"]
    finally:
        server.close()


# --- the diagnostics' JSON ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
async def test_first_answer_diagnostics_are_the_servers_in_json(
    tmp_path: Path, encoding: str
) -> None:
    """Every finding of the example project, and findings with related places in another
    file: the JSON the first answers send (lsp/wire.py) is what the server writes for the
    same finding, both its kept text and pygls' own serialisation of its Diagnostic (the
    server reads that JSON into lsprotocol's Diagnostic: nothing may be lost or reordered)."""
    driver = InProcess(tmp_path, {"general": {"positionEncodings": [encoding]}})
    server = driver.server.session
    protocol = driver.protocol
    docs = []
    for path in sorted((REPO / "examples" / "src").rglob("*.ts")):
        docs.append(driver.open(path, path.read_text(encoding="utf-8")))
    for name in ("a.ts", "b.ts"):  # the same id twice: related information across files
        path = tmp_path / "src" / "trigger" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("// ünïcode ✓ 🚀\n" + TASK, encoding="utf-8")
        docs.append(driver.open(path, path.read_text(encoding="utf-8")))
    locator = Locator(server.store, server.encoding)
    compared = related = 0
    for doc in docs:
        for finding in server.analyze(doc).findings:
            ours = diagnostic_json(doc, finding, server.kb, server.encoding, locator)
            theirs = protocol.diagnostic(doc, finding, server.kb, server.encoding, locator)
            (kept,) = protocol._diagnostics_json([theirs])
            assert kept == json.dumps(ours), finding
            assert kept == json.dumps(CONVERTER.unstructure(theirs)), finding
            compared += 1
            related += bool(finding.related)
    assert compared > 10 and related >= 2


# --- reading frames ------------------------------------------------------------------------------

_PARTS = st.one_of(
    st.builds(
        lambda obj: frame(obj), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3)
    ),
    st.sampled_from(
        [
            b"Content-Length: 5\r\n\r\n[1,2]",
            b"Content-Length:5\r\n\r\n{}   ",
            b"Content-Length: x\r\n\r\n",
            b"Content-Type: a\r\nContent-Length: 2\r\n\r\n{}",
            b"\r\n",
            b"garbage",
        ]
    ),
    st.binary(max_size=20),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PARTS, max_size=6))
# Bytes that are no header, more than the 20 kept while looking for one: they were dropped
# without being handed out (found by Hypothesis).
@example([b"garbage", b"\r\n", b"\r\n", b"garbage", b"garbage"])
@example([b"garbage", b"garbage", b"\r\n", b"\r\n", b"garbage"])
def test_no_byte_read_is_lost(parts: list[bytes]) -> None:
    """Whatever comes in, the frames handed out and the bytes left over are the stream as it
    was read, in order: the server reads what the first answers did not take."""
    data = b"".join(parts)
    read_end, write_end = os.pipe()
    os.write(write_end, data)
    os.close(write_end)
    reader = FrameReader(read_end)
    taken = []
    messages: list[Any] = []
    try:
        while (found := reader.next(1.0)) is not None:
            taken.append(found.raw)
            messages.append(found.message)
    finally:
        os.close(read_end)
    assert b"".join(taken) + reader.rest == data
    # (Each frame used to start with pygls' one header form: header names are now read
    # case-insensitively, lines may end with LF alone, and bytes that are no header are
    # dropped as a frame of their own, see lsp/framing.py.)
    for raw, message in zip(taken, messages, strict=True):
        if message is not None:  # a message came from bytes of its own
            assert raw.rstrip()[-1:] in (b"}", b"]")


def test_the_reader_marks_the_time_it_waits_for_bytes() -> None:
    """The preload of the protocol library runs only while the first answers wait for input:
    FrameReader.waiting is set during that wait and at no other time."""
    import threading

    whole = frame(notification("initialized", {}))
    read_end, write_end = os.pipe()
    reader = FrameReader(read_end)
    seen: list[bool] = []

    def write_later() -> None:
        seen.append(reader.waiting.wait(5))  # (the reader waits for the bytes...)
        os.write(write_end, whole)

    try:
        writer = threading.Thread(target=write_later)
        writer.start()
        assert reader.next(5) is not None
        writer.join()
        assert seen == [True]
        assert not reader.waiting.is_set()  # (...and not once it has them)
    finally:
        os.close(read_end)
        os.close(write_end)


PRELOAD_SCRIPT = """
import sys, threading, time
from trigger_lsp.lsp.early import Preload

class Counting(Preload):
    def load(self):
        for i in range(200):
            compile(f"x = {i}", "<preload>", "exec")  # (an audit event each)
            done.append(i)

def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass

done = []
waiting = threading.Event()
preload = Counting(waiting)
preload.start()
spin(0.3)  # the main thread busy: the preload waits
busy = len(done)
waiting.set()  # the main thread waits for input: the preload runs
deadline = time.time() + 10
while len(done) < 200 and time.time() < deadline:
    time.sleep(0.01)
print(busy, len(done))

done.clear()
waiting.clear()
again = Counting(waiting)
again.start()
spin(0.2)
held = len(done)
again.release()  # handed over: it runs although the main thread is busy
spin(0.5)
print(held, len(done))
"""


def test_the_preload_runs_only_while_the_main_thread_waits_for_input() -> None:
    """Issue 19: loading the protocol library alongside the first document's analysis
    doubled its time (the interpreter shares one lock between threads); left until after the
    first diagnostics, it made the first completion wait. The preload starts with the first
    answers, pauses itself while the main thread works, and runs freely once released."""
    out = subprocess.run(
        [sys.executable, "-c", PRELOAD_SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    first, second = [tuple(map(int, line.split())) for line in out.stdout.splitlines()]
    assert first == (0, 200)  # nothing while busy, everything while waiting
    assert second[0] == 0 and second[1] == 200


DEADLOCK_SCRIPT = """
import sys, threading, time
from pathlib import Path
from trigger_lsp.lsp.early import Preload

folder = Path(sys.argv[1])
lines = [
    "import time",
    "for i in range(20):",
    "    compile('x = 1', '<s>', 'exec')",
    "time.sleep(0.3)",
    "for i in range(20):",
    "    compile('x = 2', '<s>', 'exec')",
    "VALUE = 42",
]
(folder / "slowmod.py").write_text(chr(10).join(lines))
sys.path.insert(0, str(folder))

class Importing(Preload):
    def load(self):
        import slowmod  # noqa: F401

waiting = threading.Event()
waiting.set()
preload = Importing(waiting)
preload.start()
time.sleep(0.1)  # the preload is in the module's sleep, holding its import lock
waiting.clear()  # the main thread works, and needs that module too
import slowmod
print(slowmod.VALUE)
"""


def test_a_waiting_preload_never_holds_up_an_import_of_the_main_thread(tmp_path: Path) -> None:
    """The preload waits while the main thread works, perhaps inside a module's import: when
    the main thread imports that module meanwhile, it waits for the preload's import lock,
    and the preload goes on instead of waiting for it (no deadlock)."""
    out = subprocess.run(
        [sys.executable, "-c", DEADLOCK_SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "42"
