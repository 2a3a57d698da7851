"""Task kinds besides task/schemaTask/schedules.task (issue 15, item 4): `webhook()` from the SDK
root and `chat.agent()` / `chat.customAgent()` from "@trigger.dev/sdk/ai" define tasks (each
calls createTask with its options' id: SDK 4.8.3 webhooks.js `webhook`, ai.js `chatAgent`,
`chatCustomAgent`). They are tasks to every rule, to the project index and to navigation; a
function of the same name that does not come from the SDK is not."""

from __future__ import annotations

import textwrap
from pathlib import Path

from helpers import lines_of, lint, marked, rules_of
from trigger_lsp.analysis.model import build_model
from trigger_lsp.analysis.syntax import parse
from trigger_lsp.project.index import ProjectIndex, entries_for, index_source

ROOT = Path("/project")

KINDS = """
import { webhook, webhooks, logger, tasks } from "@trigger.dev/sdk";
import { chat } from "@trigger.dev/sdk/ai";

const github = webhooks.endpoint.define({ id: "gh", source: webhooks.github({ secret: "s" }) });

export const onPush = webhook({
  id: "on-push",
  endpoint: github,
  onEvent: async ({ event }) => {
    logger.info("push", { event });
  },
});

export const support = chat.agent({
  id: "support-chat",
  run: async ({ messages }) => {
    logger.info("turn", { n: messages.length });
  },
});

export const custom = chat.customAgent({
  id: "custom-chat",
  run: async () => {
    logger.info("custom");
  },
});
"""


def model_of(code: str):  # type: ignore[no-untyped-def]
    source = textwrap.dedent(code).lstrip("\n").encode()
    return build_model(parse(source, "typescript"), "typescript")


def test_webhook_and_chat_agents_are_tasks() -> None:
    model = model_of(KINDS)
    assert [(t.kind, t.id, t.variable) for t in model.tasks] == [
        ("webhook", "on-push", "onPush"),
        ("chat.agent", "support-chat", "support"),
        ("chat.customAgent", "custom-chat", "custom"),
    ]
    # A webhook task's run is its `onEvent` (webhooks.js wraps it in the task's run).
    webhook_task = model.tasks[0]
    assert webhook_task.run is not None and webhook_task.run == webhook_task.member("onEvent")
    assert all(t.run is not None for t in model.tasks)


def test_aliased_imports_and_require_count() -> None:
    code = """
        import { webhook as subscribe } from "@trigger.dev/sdk";
        import { chat as agents } from "@trigger.dev/sdk/ai";
        export const a = subscribe({ id: "a", endpoint: e, onEvent: async () => {} });
        export const b = agents.agent({ id: "b", run: async () => {} });
    """
    assert [t.kind for t in model_of(code).tasks] == ["webhook", "chat.agent"]


def test_same_names_not_from_the_sdk_are_not_tasks() -> None:
    code = """
        import { task } from "@trigger.dev/sdk";
        import { chat } from "./local-chat";
        import { webhook } from "some-webhook-lib";
        const agents = { agent: (o: unknown) => o };
        export const a = chat.agent({ id: "a", run: async () => {} });
        export const b = webhook({ id: "b", onEvent: async () => {} });
        export const c = agents.agent({ id: "c", run: async () => {} });
        function local() {
          const webhook = (o: unknown) => o;
          return webhook({ id: "d", onEvent: async () => {} });
        }
    """
    assert model_of(code).tasks == []


def test_chat_from_the_root_or_the_chat_client_is_not_the_agent() -> None:
    """The SDK root exports no `chat`; "@trigger.dev/sdk/chat" is the browser transport."""
    code = """
        import { chat } from "@trigger.dev/sdk";
        import { chat as client } from "@trigger.dev/sdk/chat";
        export const a = chat.agent({ id: "a", run: async () => {} });
        export const b = client.agent({ id: "b", run: async () => {} });
    """
    assert model_of(code).tasks == []


def test_a_namespace_import_of_the_ai_subpath_is_not_resolved_as_the_root() -> None:
    code = """
        import * as ai from "@trigger.dev/sdk/ai";
        export const a = ai.task({ id: "a", run: async () => {} });
    """
    assert model_of(code).tasks == []


# --- rules -------------------------------------------------------------------------------------


def test_task_missing_id_fires_for_each_kind() -> None:
    code = """
        import { webhook } from "@trigger.dev/sdk";
        import { chat } from "@trigger.dev/sdk/ai";
        export const a = webhook({ endpoint: e, onEvent: async () => {} }); /*>*/
        export const b = chat.agent({ run: async () => {} }); /*>*/
        export const c = chat.customAgent({ run: async () => {} }); /*>*/
    """
    findings = lint(code, only="task-missing-id")
    assert lines_of(findings) == marked(code)
    assert "webhook()" in findings[0].message and "chat.agent()" in findings[1].message


def test_duplicate_task_id_across_kinds() -> None:
    code = """
        import { task, webhook } from "@trigger.dev/sdk";
        import { chat } from "@trigger.dev/sdk/ai";
        export const a = task({ id: "same", run: async () => {} }); /*>*/
        export const b = webhook({ id: "same", endpoint: e, onEvent: async () => {} }); /*>*/
        export const c = chat.agent({ id: "same", run: async () => {} }); /*>*/
        export const d = chat.agent({ id: "other", run: async () => {} });
    """
    assert lines_of(lint(code, only="duplicate-task-id")) == marked(code)


def test_duplicate_task_id_silent_for_distinct_ids() -> None:
    assert lint(KINDS, only="duplicate-task-id") == []


def test_no_finding_on_well_formed_kinds() -> None:
    """A webhook task, a chat agent and a custom agent, each logging, raise nothing (the
    agent's missing `retry`, which chat.agent does not take, is not a finding)."""
    assert rules_of(lint(KINDS)) == []


def test_on_event_is_the_run_of_a_webhook_task() -> None:
    """Rules about what a run does read a webhook task's `onEvent`; the same code in another
    hook of the task, or in a plain function, is not in a run."""
    code = """
        import { webhook, wait, logger } from "@trigger.dev/sdk";
        export const a = webhook({
          id: "a",
          endpoint: e,
          onFailure: async () => {
            for (const x of [1, 2, 3, 4]) { await wait.for({ seconds: 30 }); }
          },
          onEvent: async ({ event }) => {
            logger.info("x");
            for (const item of event.items) { await wait.for({ seconds: 30 }); } /*>*/
          },
        });
        export async function notARun(items: number[]) {
          for (const item of items) { await wait.for({ seconds: 30 }); }
        }
    """
    assert lines_of(lint(code, only="wait-in-loop")) == marked(code)


def test_task_no_logging_fires_for_silent_kinds() -> None:
    code = """
        import { webhook } from "@trigger.dev/sdk";
        import { chat } from "@trigger.dev/sdk/ai";
        export const a = webhook({ id: "a", endpoint: e, onEvent: async () => { await f(); } }); /*>*/
        export const b = chat.agent({ id: "b", run: async () => { await f(); } }); /*>*/
    """
    assert lines_of(lint(code, only="task-no-logging", enable=("task-no-logging",))) == marked(code)


def test_ai_sdk_without_retry_not_for_chat_agent_but_for_custom_agent() -> None:
    """chat.agent sets its own retry (`{ maxAttempts: 1 }`, ai.js chatAgent) and takes no
    `retry` option; chat.customAgent passes its options' retry through."""
    code = """
        import { logger } from "@trigger.dev/sdk";
        import { chat } from "@trigger.dev/sdk/ai";
        import { streamText } from "ai";
        export const a = chat.agent({
          id: "a",
          run: async ({ messages }) => { logger.info("x"); return streamText({ messages }); },
        });
        export const b = chat.customAgent({
          id: "b",
          run: async ({ messages }) => { logger.info("x"); return streamText({ messages }); }, /*>*/
        });
    """
    assert lines_of(lint(code, only="ai-sdk-without-retry")) == marked(code)


# --- the index ---------------------------------------------------------------------------------


def test_index_entries_and_unknown_task_id() -> None:
    path = ROOT / "src/trigger/kinds.ts"
    source = textwrap.dedent(KINDS).lstrip("\n").encode()
    model = build_model(parse(source, "typescript"), "typescript")
    entries = entries_for(model, path, ROOT)
    assert [(e.id, e.kind) for e in entries] == [
        ("on-push", "webhook"),
        ("support-chat", "chat.agent"),
        ("custom-chat", "chat.customAgent"),
    ]
    by_id = {e.id: e for e in entries}
    assert by_id["support-chat"].own_retry is True  # the SDK sets it
    assert by_id["custom-chat"].own_retry is False
    assert index_source(source, path, ROOT).entries == entries

    index = ProjectIndex()
    index.update(path, entries)
    index.complete = True
    caller = """
        import { tasks } from "@trigger.dev/sdk";
        export async function POST() {
          await tasks.trigger("support-chat", {});
          await tasks.trigger("on-push", {});
          await tasks.trigger("custom-chat", {});
          await tasks.trigger("support-chats", {}); /*>*/
        }
    """
    findings = lint(caller, path="src/app/route.ts", only="unknown-task-id", index=index)
    assert lines_of(findings) == marked(caller)
    assert 'did you mean "support-chat"' in findings[0].message
