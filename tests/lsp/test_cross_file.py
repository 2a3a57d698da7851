"""The server's face of the cross-file findings (issue 13, item 5): task-no-logging follows a
run into helpers of other files, duplicate-task-id and trigger-config-not-found know which
files the CLI loads, and both follow edits of the other files."""

from __future__ import annotations

from pathlib import Path

import pytest_lsp
from pytest_lsp import LanguageClient

from lsp.session import CONFIG, Doc, codes, open_doc, project, pull, pulled, start

SDK = 'import { logger, task } from "@trigger.dev/sdk";\n'


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


def job(var: str, task_id: str, body: str, head: str = "") -> str:
    return (
        SDK
        + head
        + f'export const {var} = task({{ id: "{task_id}", concurrency: {{ total: 1 }},\n'
        + f"  retry: {{ maxAttempts: 2 }}, run: async (p: {{ n: number }}) => {{ {body} }} }});\n"
    )


LOGS = 'import { logger } from "@trigger.dev/sdk";\nexport function notify(n: number) { logger.info("n", { n }); }\n'
SILENT = "export function notify(n: number) { return n + 1; }\n"


async def test_no_logging_follows_imported_helpers(client: LanguageClient, tmp_path: Path):
    files = project(
        tmp_path,
        {
            "src/trigger/loud.ts": job(
                "loud", "loud", "notify(p.n);", 'import { notify } from "../lib/loud";\n'
            ),
            "src/trigger/quiet.ts": job(
                "quiet", "quiet", "notify(p.n);", 'import { notify } from "../lib/quiet";\n'
            ),
            "src/trigger/pkg.ts": job(
                "pkg", "pkg", "notify(p.n);", 'import { notify } from "@acme/notify";\n'
            ),
            "src/lib/loud.ts": LOGS,
            "src/lib/quiet.ts": SILENT,
        },
    )
    await start(client, tmp_path, "neovim-0.11")  # (published, and answers pulls too)
    loud = open_doc(client, files["src/trigger/loud.ts"])
    quiet = open_doc(client, files["src/trigger/quiet.ts"])
    pkg = open_doc(client, files["src/trigger/pkg.ts"])
    # (answered before the index is complete: pulled again until it is)
    await pulled(client, quiet, lambda d: "task-no-logging" in codes(d))
    assert "task-no-logging" not in codes(await pull(client, loud))
    assert "task-no-logging" not in codes(await pull(client, pkg))  # a package: unknown

    # The helper starts logging in the editor: the task that calls it is looked at again.
    helper = Doc(client, open_doc(client, files["src/lib/quiet.ts"]), SILENT)
    await pull(client, helper.uri)
    helper.replace(LOGS)
    await pull(client, helper.uri)
    assert "task-no-logging" not in codes(await pull(client, quiet))
    helper.replace(SILENT)
    await pull(client, helper.uri)
    assert "task-no-logging" in codes(await pull(client, quiet))


async def test_no_logging_follows_namespace_imports_through_reexports(
    client: LanguageClient, tmp_path: Path
):
    files = project(
        tmp_path,
        {
            "src/trigger/ns.ts": job(
                "ns", "ns", "lib.notify(p.n);", 'import * as lib from "../lib";\n'
            ),
            "src/lib/index.ts": 'export * from "./notify";\n',
            "src/lib/notify.ts": SILENT,
        },
    )
    await start(client, tmp_path, "neovim-0.11")  # (published, and answers pulls too)
    ns = open_doc(client, files["src/trigger/ns.ts"])
    await pulled(client, ns, lambda d: "task-no-logging" in codes(d))
    helper = Doc(client, open_doc(client, files["src/lib/notify.ts"]), SILENT)
    await pull(client, helper.uri)
    helper.replace(LOGS)
    await pull(client, helper.uri)
    assert "task-no-logging" not in codes(await pull(client, ns))


async def test_only_files_the_cli_loads_collide(client: LanguageClient, tmp_path: Path):
    files = project(
        tmp_path,
        {
            "src/trigger/sync.ts": job("sync", "sync", 'logger.info("x");'),
            "src/trigger/index.ts": "export const nothing = 1;\n",
            "src/legacy/sync.ts": job("old", "sync", 'logger.info("x");'),
        },
    )
    await start(client, tmp_path, "neovim-0.11")  # (published, and answers pulls too)
    sync = open_doc(client, files["src/trigger/sync.ts"])
    legacy = open_doc(client, files["src/legacy/sync.ts"])
    # (whether the CLI loads a file is known once the index is complete)
    await pulled(client, legacy, lambda d: codes(d) == ["trigger-config-not-found"])
    assert "duplicate-task-id" not in codes(await pull(client, sync))

    # A file of the task folder re-exports the legacy file: now it is bundled.
    index = Doc(client, open_doc(client, files["src/trigger/index.ts"]), "")
    index.replace('export * from "../legacy/sync";\n')
    await pull(client, index.uri)
    assert "duplicate-task-id" in codes(await pull(client, sync))
    assert codes(await pull(client, legacy)) == ["duplicate-task-id"]


async def test_an_imported_id_constant_is_read(client: LanguageClient, tmp_path: Path):
    ids = 'export const IDS = { send: "send-email" } as const;\n'
    send = (
        SDK
        + 'import { IDS } from "../ids";\n'
        + "export const send = task({ id: IDS.send, concurrency: { total: 1 },\n"
        + '  retry: { maxAttempts: 2 }, run: async () => { logger.info("x"); } });\n'
    )
    files = project(
        tmp_path,
        {
            "src/ids.ts": ids,
            "src/trigger/send.ts": send,
            "src/trigger/mail.ts": job("mail", "send-email", 'logger.info("x");'),
        },
    )
    await start(client, tmp_path, "neovim-0.11")  # (published, and answers pulls too)
    uri = open_doc(client, files["src/trigger/send.ts"])
    await pulled(client, uri, lambda d: codes(d) == ["duplicate-task-id"])  # no task-missing-id
    constants = Doc(client, open_doc(client, files["src/ids.ts"]), ids)
    await pull(client, constants.uri)
    constants.replace(ids.replace('"send-email"', '"send-email-v2"'))
    await pull(client, constants.uri)
    assert codes(await pull(client, uri)) == []
