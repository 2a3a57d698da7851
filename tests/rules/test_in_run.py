"""Tests for the rules about code inside a run: sync-io-in-task, env-unchecked,
catch-without-rethrow, logger-second-arg, metadata-outside-run, ai-sdk-without-retry."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from helpers import SDK_IMPORT, lines_of, lint, marked
from trigger_lsp.analysis.syntax import parse
from trigger_lsp.knowledge.model import Severity
from trigger_lsp.project.context import ProjectContext, default_context
from trigger_lsp.project.trigger_config import parse_config


def sdk_code(code: str) -> str:
    """The SDK import on line 1, then the dedented snippet from line 2."""
    return SDK_IMPORT + textwrap.dedent(code).lstrip("\n")


def project_with_config(config: str) -> ProjectContext:
    path = Path("/project/trigger.config.ts")
    source = textwrap.dedent(config).encode()
    base = default_context(Path("/project"))
    parsed = parse_config(path, source, parse(source, "typescript"))
    return ProjectContext(
        base.root, parsed, base.manifest, base.sdk_version, base.sdk_version_source, base.lint
    )


# --- sync-io-in-task -------------------------------------------------------------------------


def test_sync_io_named_and_namespace_imports() -> None:
    code = """
        import { task } from "@trigger.dev/sdk";
        import { readFileSync } from "node:fs";
        import fs from "fs";
        import * as cp from "child_process";
        import { spawnSync as spawnNow } from "node:child_process";

        export const build = task({
          id: "build",
          run: async () => {
            const config = readFileSync("config.json", "utf8"); /*>*/
            fs.writeFileSync("out.txt", config); /*>*/
            cp.execSync("make"); /*>*/
            spawnNow("ls", ["-la"]); /*>*/
            cp.execFileSync("git", ["status"]); /*>*/
          },
        });
    """
    findings = lint(code, only="sync-io-in-task")
    assert lines_of(findings) == marked(code)
    assert all(f.severity is Severity.WARNING for f in findings)
    assert "`readFileSync`" in findings[0].message
    assert '`readFile` from "fs/promises"' in findings[0].message
    assert "`fs.writeFileSync`" in findings[1].message
    assert "`cp.execSync`" in findings[2].message
    assert "`spawnNow`" in findings[3].message


def test_sync_io_require_and_nested_callback_in_run() -> None:
    code = """
        const { task } = require("@trigger.dev/sdk");
        const { execSync } = require("child_process");
        const fs = require("node:fs");

        module.exports.t = task({
          id: "t",
          run: async (payload) => {
            payload.files.forEach((f) => fs.unlinkSync(f)); /*>*/
            return execSync("date").toString(); /*>*/
          },
        });
    """
    assert lines_of(lint(code, only="sync-io-in-task", path="src/trigger/t.js")) == marked(code)


def test_sync_io_silent_outside_run_and_for_lookalikes() -> None:
    code = """
        import { task } from "@trigger.dev/sdk";
        import { readFileSync, existsSync, promises } from "node:fs";
        import { readFile } from "node:fs/promises";
        import { execSync } from "my-shell-lib";

        const template = readFileSync("template.html", "utf8");

        function loadConfig() {
          return readFileSync("config.json", "utf8");
        }

        export const t = task({
          id: "t",
          onStartAttempt: async () => {
            readFileSync("warmup.txt");
          },
          run: async () => {
            if (existsSync("cache.json")) {
              await readFile("cache.json");
            }
            await promises.readFile("x");
            execSync("not child_process");
            return loadConfig() + template;
          },
        });
    """
    assert lint(code, only="sync-io-in-task") == []


def test_sync_io_silent_for_a_local_function_named_like_fs() -> None:
    code = sdk_code("""
        function readFileSync(path: string) {
          return cache.get(path);
        }
        export const t = task({
          id: "t",
          run: async () => readFileSync("x"),
        });
    """)
    assert lint(code, only="sync-io-in-task") == []


# --- env-unchecked ---------------------------------------------------------------------------

ENV_FIRES = {
    "client option": """
        import OpenAI from "openai";
        const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
    """,
    "template url": """
        export const t = task({
          id: "t",
          run: async () => {
            return fetch(`${process.env.API_URL}/v1/items`);
          },
        });
    """,
    "bracket read as argument": """
        export const t = task({
          id: "t",
          run: async () => {
            await postToSlack(process.env["SLACK_WEBHOOK_URL"], "done");
          },
        });
    """,
    "variable used unchecked": """
        const apiKey = process.env.RESEND_API_KEY;
        export const t = task({
          id: "t",
          run: async () => {
            await fetch("https://api.resend.com/emails", { headers: { Authorization: apiKey } });
          },
        });
    """,
    "destructured and used unchecked": """
        const { STRIPE_KEY } = process.env;
        export const t = task({
          id: "t",
          run: async () => new Stripe(STRIPE_KEY),
        });
    """,
    "method called on the value": """
        export const t = task({
          id: "t",
          run: async () => process.env.ALLOWED_IDS.split(","),
        });
    """,
}


@pytest.mark.parametrize("code", ENV_FIRES.values(), ids=ENV_FIRES.keys())
def test_env_unchecked_fires(code: str) -> None:
    findings = lint(sdk_code(code), only="env-unchecked")
    assert len(findings) == 1
    assert findings[0].severity is Severity.WARNING
    assert "process.env." in findings[0].message


def test_env_unchecked_reports_name_line_once_per_variable() -> None:
    code = sdk_code("""
        export const t = task({
          id: "t",
          run: async () => {
            const a = new Client({ token: process.env.CRM_TOKEN }); /*>*/
            const b = new Client({ token: process.env.CRM_TOKEN });
            return [a, b];
          },
        });
    """)
    [finding] = lint(code, only="env-unchecked")
    assert lines_of([finding]) == marked(code)
    assert "`process.env.CRM_TOKEN`" in finding.message


def test_env_unchecked_in_trigger_config() -> None:
    config = """
        import { defineConfig } from "@trigger.dev/sdk";
        export default defineConfig({ project: process.env.TRIGGER_PROJECT_REF, maxDuration: 300 }); /*>*/
    """
    assert lines_of(lint(config, only="env-unchecked", path="trigger.config.ts")) == marked(config)
    asserted = config.replace("TRIGGER_PROJECT_REF,", "TRIGGER_PROJECT_REF!,")
    assert lint(asserted, only="env-unchecked", path="trigger.config.ts") == []


ENV_SILENT = {
    "check and throw": """
        const key = process.env.OPENAI_API_KEY;
        if (!key) throw new Error("OPENAI_API_KEY is not set");
        const client = new OpenAI({ apiKey: key });
    """,
    "check inside run": """
        export const t = task({
          id: "t",
          run: async () => {
            const url = process.env.API_URL;
            if (url === undefined) {
              throw new Error("API_URL missing");
            }
            return fetch(url);
          },
        });
    """,
    "nullish fallback": 'const region = process.env.AWS_REGION ?? "us-east-1";',
    "or fallback": 'const port = process.env.PORT || "3000";',
    "non-null assertion": "const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY! });",
    "if on the read": 'if (process.env.DEBUG) { console.log("debug"); }',
    "comparison": 'const enabled = process.env.FEATURE_X === "1";',
    "typeof": 'const hasKey = typeof process.env.KEY === "string";',
    "negation": "const missing = !process.env.KEY;",
    "ternary condition": 'const mode = process.env.MODE ? process.env.MODE : "default";',
    "assignment to env": 'process.env.TZ = "UTC";',
    "zod parse": "const key = z.string().min(1).parse(process.env.OPENAI_API_KEY);",
    "assert helper": 'const key = assertEnv(process.env.KEY, "KEY");',
    "require helper": 'const key = requireEnv(process.env["KEY"]);',
    "destructuring default": 'const { REGION = "eu" } = process.env;',
    "destructured then checked": """
        const { STRIPE_KEY } = process.env;
        if (!STRIPE_KEY) throw new Error("missing");
        const stripe = new Stripe(STRIPE_KEY);
    """,
    "earlier guard covers later reads": """
        if (!process.env.OPENAI_API_KEY) throw new Error("missing");
        const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
    """,
    "validated env object": """
        export const env = createEnv({ runtimeEnv: { DATABASE_URL: process.env.DATABASE_URL } });
    """,
    "optional chaining": 'const ids = process.env.IDS?.split(",") ?? [];',
    "node env": 'const prod = process.env.NODE_ENV; console.log(prod + "");',
    "unused read": "const x = process.env.UNUSED;",
    "returned from a helper": "function token() { return process.env.TOKEN; }",
    "nullish assignment": 'let region = process.env.REGION; region ??= "eu"; use(region);',
    "logged": 'console.log("region", process.env.REGION); logger.info("x", { k: process.env.K });',
}


@pytest.mark.parametrize("code", ENV_SILENT.values(), ids=ENV_SILENT.keys())
def test_env_unchecked_silent(code: str) -> None:
    task = '\nexport const t = task({ id: "t", run: async () => {} });\n'
    assert lint(sdk_code(code) + task, only="env-unchecked") == []


def test_env_unchecked_silent_outside_task_files() -> None:
    # A backend route that triggers tasks imports the SDK but is not a task file.
    code = """
        import { tasks } from "@trigger.dev/sdk";
        export async function POST() {
          await tasks.trigger("t", { key: process.env.SOME_KEY });
        }
    """
    assert lint(code, only="env-unchecked", path="app/api/x/route.ts") == []


def test_env_unchecked_helper_file_in_trigger_dir() -> None:
    code = """
        export const client = new Client({ url: process.env.REDIS_URL }); /*>*/
    """
    assert lines_of(lint(code, only="env-unchecked", path="src/trigger/lib/redis.ts")) == marked(
        code
    )


# A type assertion that leaves out `undefined` states the variable is set, as `!` does.
ENV_ASSERTED_SILENT = {
    "as string": "const stripe = new Stripe(process.env.STRIPE_KEY as string);",
    "angle-bracket assertion": "const stripe = new Stripe(<string>process.env.STRIPE_KEY);",
    "satisfies": "const stripe = new Stripe(process.env.STRIPE_KEY satisfies string);",
    "as a union without undefined": (
        'const mode = process.env.MODE as "a" | "b"; configure({ mode: mode });'
    ),
    "through unknown": "const key = process.env.KEY as unknown as string; use(key.trim());",
    "bound, then asserted at the use": """
        const key = process.env.RESEND_KEY;
        const resend = new Resend(key as string);
    """,
    "asserted into a variable": """
        const key = process.env.RESEND_KEY as string;
        const resend = new Resend(key);
    """,
}


@pytest.mark.parametrize("code", ENV_ASSERTED_SILENT.values(), ids=ENV_ASSERTED_SILENT.keys())
def test_env_unchecked_silent_on_type_assertions(code: str) -> None:
    task = '\nexport const t = task({ id: "t", run: async () => {} });\n'
    assert lint(sdk_code(code) + task, only="env-unchecked") == []


ENV_ASSERTION_STILL_FIRES = {
    "as string | undefined": "const stripe = new Stripe(process.env.STRIPE_KEY as string | undefined);",
    "as any": "const stripe = new Stripe(process.env.STRIPE_KEY as any);",
    "as unknown": "const stripe = new Stripe(process.env.STRIPE_KEY as unknown);",
}


@pytest.mark.parametrize(
    "code", ENV_ASSERTION_STILL_FIRES.values(), ids=ENV_ASSERTION_STILL_FIRES.keys()
)
def test_env_unchecked_fires_on_assertions_that_allow_undefined(code: str) -> None:
    task = '\nexport const t = task({ id: "t", run: async () => {} });\n'
    assert len(lint(sdk_code(code) + task, only="env-unchecked")) == 1


# Read only while building: the CLI strips `build` from the config it bundles for runs.
ENV_DEPLOY_TIME_SILENT = {
    "an esbuild plugin for deploys": """
        import { defineConfig } from "@trigger.dev/sdk";
        import { esbuildPlugin } from "@trigger.dev/build/extensions";
        import { sentryEsbuildPlugin } from "@sentry/esbuild-plugin";
        export default defineConfig({
          project: "proj_abc",
          maxDuration: 300,
          build: {
            extensions: [
              esbuildPlugin(
                sentryEsbuildPlugin({
                  org: process.env.SENTRY_ORG,
                  authToken: process.env.SENTRY_AUTH_TOKEN,
                }),
                { placement: "last", target: "deploy" },
              ),
            ],
          },
        });
    """,
    "syncing variables at deploy": """
        import { defineConfig } from "@trigger.dev/sdk";
        import { syncEnvVars } from "@trigger.dev/build/extensions/core";
        export default defineConfig({
          project: "proj_abc",
          maxDuration: 300,
          build: {
            extensions: [
              syncEnvVars(async () => ({ DATABASE_URL: process.env.PROD_DATABASE_URL })),
            ],
          },
        });
    """,
    "a plugin built above the config, used only in build": """
        import { defineConfig } from "@trigger.dev/sdk";
        import { esbuildPlugin } from "@trigger.dev/build/extensions";
        import { sentryEsbuildPlugin } from "@sentry/esbuild-plugin";
        const uploadToken = process.env.SENTRY_AUTH_TOKEN;
        const sentry = sentryEsbuildPlugin({ authToken: uploadToken, org: process.env.SENTRY_ORG });
        export default defineConfig({
          project: "proj_abc",
          maxDuration: 300,
          build: { extensions: [esbuildPlugin(sentry, { target: "deploy" })] },
        });
    """,
    "a build extension's options outside the config object": """
        import { defineConfig } from "@trigger.dev/sdk";
        import { prismaExtension } from "@trigger.dev/build/extensions/prisma";
        const prisma = prismaExtension({ schema: "prisma/schema.prisma", directUrlEnvVarName: process.env.DIRECT_URL_NAME });
        export default defineConfig({
          project: "proj_abc",
          maxDuration: 300,
          build: { extensions: [prisma] },
        });
    """,
}


@pytest.mark.parametrize("code", ENV_DEPLOY_TIME_SILENT.values(), ids=ENV_DEPLOY_TIME_SILENT.keys())
def test_env_unchecked_silent_on_deploy_time_reads(code: str) -> None:
    assert lint(code, only="env-unchecked", path="trigger.config.ts") == []


def test_env_unchecked_fires_on_config_reads_made_at_run_time() -> None:
    # Telemetry exporters are built when a run's worker loads the config; `build` is not.
    code = """
        import { defineConfig } from "@trigger.dev/sdk";
        import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
        const axiomToken = process.env.AXIOM_TOKEN; /*>*/
        export default defineConfig({
          project: "proj_abc",
          maxDuration: 300,
          telemetry: {
            exporters: [
              new OTLPTraceExporter({ headers: { Authorization: `Bearer ${axiomToken}` } }),
              new OTLPTraceExporter({ url: process.env.OTEL_COLLECTOR_URL }), /*>*/
            ],
          },
          build: { external: [process.env.NOT_EXTERNAL_NAME] },
        });
    """
    findings = lint(code, only="env-unchecked", path="trigger.config.ts")
    assert lines_of(findings) == marked(code)


def test_env_unchecked_fires_when_a_build_value_is_also_used_at_run_time() -> None:
    code = """
        import { defineConfig } from "@trigger.dev/sdk";
        import { esbuildPlugin } from "@trigger.dev/build/extensions";
        const dsn = process.env.SENTRY_DSN; /*>*/
        export default defineConfig({
          project: "proj_abc",
          maxDuration: 300,
          init: async () => Sentry.init({ dsn: dsn }),
          build: { extensions: [esbuildPlugin(sentryPlugin({ dsn }))] },
        });
    """
    assert lines_of(lint(code, only="env-unchecked", path="trigger.config.ts")) == marked(code)


def test_env_unchecked_build_key_only_counts_in_the_config() -> None:
    code = sdk_code("""
        const options = { build: { token: process.env.BUILD_TOKEN } }; /*>*/
        export const t = task({ id: "t", run: async () => deploy(options) });
    """)
    assert lines_of(lint(code, only="env-unchecked")) == marked(code)


# Set by Trigger.dev in every run (dev and deployed), or describing the machine: never a secret
# the user forgot to deploy.
ENV_PROVIDED_SILENT = {
    "secret key handed to another client": """
        export const t = task({
          id: "t",
          run: async () => {
            const client = new ApiClient(process.env.TRIGGER_API_URL, process.env.TRIGGER_SECRET_KEY);
            return client.list();
          },
        });
    """,
    "project ref in a url": """
        export const t = task({
          id: "t",
          run: async () => fetch(`https://cloud.trigger.dev/projects/${process.env.TRIGGER_PROJECT_REF}`),
        });
    """,
    "time zone and locale": """
        export const t = task({
          id: "t",
          run: async () =>
            new Intl.DateTimeFormat(process.env.LANG, { timeZone: process.env.TZ }).format(new Date()),
        });
    """,
    "host name in a payload": """
        export const t = task({
          id: "t",
          run: async () => report({ host: process.env.HOSTNAME, home: process.env.HOME }),
        });
    """,
}


@pytest.mark.parametrize("code", ENV_PROVIDED_SILENT.values(), ids=ENV_PROVIDED_SILENT.keys())
def test_env_unchecked_silent_on_provided_variables(code: str) -> None:
    assert lint(sdk_code(code), only="env-unchecked") == []


def test_env_unchecked_fires_on_trigger_variables_runs_do_not_get() -> None:
    # The CLI reads TRIGGER_ACCESS_TOKEN; runs are not given it.
    code = sdk_code("""
        export const t = task({
          id: "t",
          run: async () =>
            fetch("https://api.trigger.dev/api/v1/projects", {
              headers: { Authorization: `Bearer ${process.env.TRIGGER_ACCESS_TOKEN}` },
            }),
        });
    """)
    [finding] = lint(code, only="env-unchecked")
    assert "TRIGGER_ACCESS_TOKEN" in finding.message


def test_env_unchecked_provided_variables_still_count_in_the_config() -> None:
    # The CLI evaluates trigger.config in the deploying shell, where nothing is injected.
    code = """
        import { defineConfig } from "@trigger.dev/sdk";
        export default defineConfig({ project: process.env.TRIGGER_PROJECT_REF, maxDuration: 300, logLevel: process.env.LANG });
    """
    findings = lint(code, only="env-unchecked", path="trigger.config.ts")
    assert [f.message.split("`")[1] for f in findings] == ["process.env.TRIGGER_PROJECT_REF"]


# --- catch-without-rethrow -------------------------------------------------------------------


def test_catch_without_rethrow_fires_on_catch_keyword() -> None:
    code = sdk_code("""
        export const sync = task({
          id: "sync",
          run: async (payload: { id: string }) => {
            try {
              await pushToCrm(payload.id);
            } catch (error) { /*>*/
              logger.error("CRM push failed", { error });
            }
          },
        });
    """)
    [finding] = lint(code, only="catch-without-rethrow")
    assert finding.severity is Severity.WARNING
    assert lines_of([finding]) == marked(code)
    assert finding.end_byte - finding.start_byte == len("catch")


CATCH_FIRES = {
    "returns a failure value": """
        export const t = task({
          id: "t",
          run: async () => {
            try {
              const res = await fetch("https://example.com");
              return { ok: true, status: res.status };
            } catch {
              return { ok: false };
            }
          },
        });
    """,
    "around a child run": """
        export const t = task({
          id: "t",
          run: async () => {
            try {
              await child.triggerAndWait({ id: 1 });
            } catch (e) {
              console.error(e);
            }
          },
        });
    """,
    "in a callback inside run": """
        export const t = task({
          id: "t",
          run: async (payload: { ids: string[] }) => {
            for (const id of payload.ids) {
              await handle(id).then(async () => {
                try {
                  await fetch(`https://example.com/${id}`);
                } catch (e) {
                  logger.warn("skip", { id });
                }
              });
            }
          },
        });
    """,
    "throw only in a nested function": """
        export const t = task({
          id: "t",
          run: async () => {
            try {
              await fetch("https://example.com");
            } catch (e) {
              setTimeout(() => {
                throw e;
              }, 0);
            }
          },
        });
    """,
    "fetch without await": """
        export const t = task({
          id: "t",
          run: async () => {
            try {
              return fetch("https://example.com");
            } catch (e) {
              return null;
            }
          },
        });
    """,
}


@pytest.mark.parametrize("code", CATCH_FIRES.values(), ids=CATCH_FIRES.keys())
def test_catch_without_rethrow_fires(code: str) -> None:
    assert len(lint(sdk_code(code), only="catch-without-rethrow")) == 1


CATCH_SILENT = {
    "rethrows": """
        export const t = task({
          id: "t",
          run: async () => {
            try {
              await fetch("https://example.com");
            } catch (e) {
              logger.error("failed", { e });
              throw e;
            }
          },
        });
    """,
    "abort error": """
        export const t = task({
          id: "t",
          run: async () => {
            try {
              await fetch("https://example.com");
            } catch (e) {
              throw new AbortTaskRunError("permanent");
            }
          },
        });
    """,
    "conditional rethrow": """
        export const t = task({
          id: "t",
          run: async () => {
            try {
              await fetch("https://example.com");
            } catch (e) {
              if (!(e instanceof NotFoundError)) {
                throw e;
              }
            }
          },
        });
    """,
    "rejected promise": """
        export const t = task({
          id: "t",
          run: async () => {
            try {
              return await fetch("https://example.com");
            } catch (e) {
              return Promise.reject(e);
            }
          },
        });
    """,
    "error recorded and thrown later": """
        export const t = task({
          id: "t",
          run: async (payload: { ids: string[] }) => {
            const failed: string[] = [];
            for (const id of payload.ids) {
              try {
                await fetch(`https://example.com/${id}`);
              } catch {
                failed.push(id);
              }
            }
            if (failed.length) throw new Error(`failed: ${failed.join(",")}`);
          },
        });
    """,
    "synchronous parse fallback": """
        export const t = task({
          id: "t",
          run: async (payload: { raw: string }) => {
            let data = {};
            try {
              data = JSON.parse(payload.raw);
            } catch {
              data = {};
            }
            return data;
          },
        });
    """,
    "helper outside run": """
        async function safeFetch(url: string) {
          try {
            return await fetch(url);
          } catch {
            return null;
          }
        }
        export const t = task({
          id: "t",
          run: async () => safeFetch("https://example.com"),
        });
    """,
    "catchError hook is not run": """
        export const t = task({
          id: "t",
          run: async () => {},
          onFailure: async () => {
            try {
              await notify();
            } catch {}
          },
        });
    """,
}


@pytest.mark.parametrize("code", CATCH_SILENT.values(), ids=CATCH_SILENT.keys())
def test_catch_without_rethrow_silent(code: str) -> None:
    assert lint(sdk_code(code), only="catch-without-rethrow") == []


# A catch that only guards cleanup: the work it protects is tidying up, not the task's result.
CATCH_CLEANUP_SILENT = {
    "inside finally": """
        export const render = task({
          id: "render",
          run: async (payload: { url: string }) => {
            const workdir = await makeScratchDir();
            try {
              return await renderPage(payload.url, workdir);
            } finally {
              try {
                await sendUsage(workdir);
              } catch (problem) {
                logger.warn("usage report lost", { problem });
              }
            }
          },
        });
    """,
    "fs.promises.rm of a temporary directory": """
        import fs from "node:fs";
        export const unzip = task({
          id: "unzip",
          run: async (payload: { archive: string }) => {
            const out = await extract(payload.archive);
            try {
              await fs.promises.rm(out.tmp, { recursive: true, force: true });
            } catch {
              logger.info("temp dir already gone");
            }
            return out.files;
          },
        });
    """,
    "unlink imported from fs/promises": """
        import { unlink } from "node:fs/promises";
        export const thumb = task({
          id: "thumb",
          run: async (payload: { path: string }) => {
            const small = await shrink(payload.path);
            try {
              await unlink(payload.path);
            } catch (e) {}
            return small;
          },
        });
    """,
    "closing clients, optional chaining and $-methods": """
        export const scrape = task({
          id: "scrape",
          run: async () => {
            const browser = await launch();
            const html = await browser.fetchPage("https://example.com");
            try {
              await browser?.close();
              await prisma.$disconnect();
              redis.quit();
            } catch (err) {
              logger.debug("shutdown noise", { err });
            }
            return html;
          },
        });
    """,
    "a cleanup-named helper under a condition": """
        export const job = task({
          id: "job",
          run: async (payload: { keep: boolean }) => {
            const result = await work();
            try {
              if (!payload.keep) {
                await cleanupWorkspace(result.id);
              }
            } catch {}
            return result;
          },
        });
    """,
    "removing several files at once": """
        import { rm } from "fs/promises";
        export const batchJob = task({
          id: "batch-job",
          run: async (payload: { files: string[] }) => {
            await processAll(payload.files);
            try {
              await Promise.all(payload.files.map((f) => rm(f, { force: true })));
            } catch {}
          },
        });
    """,
}


@pytest.mark.parametrize("code", CATCH_CLEANUP_SILENT.values(), ids=CATCH_CLEANUP_SILENT.keys())
def test_catch_without_rethrow_silent_on_cleanup(code: str) -> None:
    assert lint(sdk_code(code), only="catch-without-rethrow") == []


# The same shapes, where the try holds real work next to (or instead of) the cleanup.
CATCH_NOT_CLEANUP = {
    "deleting a record is the task's work": """
        export const purge = task({
          id: "purge",
          run: async (payload: { userId: string }) => {
            try {
              await db.user.delete({ where: { id: payload.userId } });
            } catch (e) {
              logger.error("purge failed", { e });
            }
          },
        });
    """,
    "work and a close in one try": """
        export const upload = task({
          id: "upload",
          run: async (payload: { file: string }) => {
            const handle = await open(payload.file);
            try {
              await bucket.put(payload.file, handle);
              await handle.close();
            } catch (e) {
              logger.error("upload failed", { e });
            }
          },
        });
    """,
    "cleanup call's result is used": """
        export const t = task({
          id: "t",
          run: async () => {
            try {
              const summary = await closeAccount(await getAccount());
              return summary;
            } catch {
              return null;
            }
          },
        });
    """,
    "the cleanup is the run's whole work": """
        import { rm } from "node:fs/promises";
        export const purge = schedules.task({
          id: "purge-cache",
          cron: "0 3 * * *",
          run: async () => {
            try {
              await rm("/data/cache", { recursive: true });
            } catch (e) {
              logger.error("purge failed", { e });
            }
          },
        });
    """,
    "a finally of another function does not cover the run": """
        async function withRetries(fn: () => Promise<void>) {
          try {
            return await fn();
          } finally {
            counter.done();
          }
        }
        export const t = task({
          id: "t",
          run: async () => {
            try {
              await fetch("https://example.com");
            } catch {}
          },
        });
    """,
}


@pytest.mark.parametrize("code", CATCH_NOT_CLEANUP.values(), ids=CATCH_NOT_CLEANUP.keys())
def test_catch_without_rethrow_fires_when_not_only_cleanup(code: str) -> None:
    assert len(lint(sdk_code(code), only="catch-without-rethrow")) == 1


# A throw elsewhere in the function rethrows this error only when it can run after the catch.
CATCH_THROW_ELSEWHERE = {
    "throw in another switch case": """
        export const route = task({
          id: "route",
          run: async (payload: { kind: string }) => {
            switch (payload.kind) {
              case "ping":
                try {
                  await fetch("https://example.com/ping");
                } catch (e) {
                  logger.error("ping failed", { e });
                }
                break;
              default:
                throw new Error(`unknown kind ${payload.kind}`);
            }
          },
        });
    """,
    "throw in the else branch": """
        export const t = task({
          id: "t",
          run: async (payload: { url?: string }) => {
            if (payload.url) {
              try {
                await fetch(payload.url);
              } catch {
                logger.warn("fetch failed");
              }
            } else {
              throw new Error("no url");
            }
          },
        });
    """,
    "throw before the try in the loop body": """
        export const t = task({
          id: "t",
          run: async (payload: { ids: string[] }) => {
            for (const id of payload.ids) {
              if (!id) throw new Error("empty id");
              try {
                await fetch(`https://example.com/${id}`);
              } catch {
                logger.warn("skipped", { id });
              }
            }
          },
        });
    """,
    "throw in the outer catch, which handles other errors": """
        export const t = task({
          id: "t",
          run: async () => {
            try {
              try {
                await fetch("https://example.com/a");
              } catch {
                logger.warn("a failed");
              }
              await fetch("https://example.com/b");
            } catch (e) {
              throw e;
            }
          },
        });
    """,
    "throw after a return": """
        export const t = task({
          id: "t",
          run: async (payload: { mode: string }) => {
            if (payload.mode === "fast") {
              try {
                await fetch("https://example.com/fast");
              } catch {}
              return;
            }
            throw new Error("slow mode is gone");
          },
        });
    """,
    "throw in a case the catch's case breaks before": """
        export const t = task({
          id: "t",
          run: async (payload: { kind: string }) => {
            switch (payload.kind) {
              case "a":
                try {
                  await fetch("https://example.com/a");
                } catch {}
                break;
              case "b":
                throw new Error("b is not supported");
            }
          },
        });
    """,
}


@pytest.mark.parametrize("code", CATCH_THROW_ELSEWHERE.values(), ids=CATCH_THROW_ELSEWHERE.keys())
def test_catch_without_rethrow_ignores_throws_on_other_paths(code: str) -> None:
    assert len(lint(sdk_code(code), only="catch-without-rethrow")) == 1


CATCH_THROW_AFTER = {
    "in the try's own finally": """
        export const t = task({
          id: "t",
          run: async () => {
            let error: unknown;
            try {
              await fetch("https://example.com/a");
            } catch (e) {
              error = e;
            } finally {
              if (error) throw error;
            }
          },
        });
    """,
    "after the switch": """
        export const t = task({
          id: "t",
          run: async (payload: { kind: string }) => {
            let failed = false;
            switch (payload.kind) {
              case "a":
                try {
                  await fetch("https://example.com/a");
                } catch {
                  failed = true;
                }
                break;
            }
            if (failed) throw new Error("a failed");
          },
        });
    """,
    "falls through into a case that throws": """
        export const t = task({
          id: "t",
          run: async (payload: { kind: string }) => {
            let error: unknown;
            switch (payload.kind) {
              case "a":
                try {
                  await fetch("https://example.com/a");
                } catch (e) {
                  error = e;
                }
              // falls through
              case "b":
                if (error) throw error;
            }
          },
        });
    """,
    "in a finally after the catch": """
        export const t = task({
          id: "t",
          run: async () => {
            let error: unknown;
            try {
              try {
                await fetch("https://example.com/a");
              } catch (e) {
                error = e;
              }
            } finally {
              if (error) throw error;
            }
          },
        });
    """,
    "after the loop, leaving it with break": """
        export const t = task({
          id: "t",
          run: async (payload: { urls: string[] }) => {
            let lastError: unknown;
            for (const url of payload.urls) {
              try {
                await fetch(url);
                lastError = undefined;
                break;
              } catch (e) {
                lastError = e;
                continue;
              }
            }
            if (lastError) throw lastError;
          },
        });
    """,
}


@pytest.mark.parametrize("code", CATCH_THROW_AFTER.values(), ids=CATCH_THROW_AFTER.keys())
def test_catch_without_rethrow_silent_when_thrown_after(code: str) -> None:
    assert lint(sdk_code(code), only="catch-without-rethrow") == []


# --- logger-second-arg -----------------------------------------------------------------------


def test_logger_second_arg_fires_on_literals() -> None:
    code = sdk_code("""
        export const t = task({
          id: "t",
          run: async (payload: { id: string }) => {
            logger.info("user", "abc");
            logger.debug("count", 42);
            logger.warn("id", `${payload.id}`);
            logger.error("ids", [1, 2]);
            logger.log("flag", true);
            logger.info("delta", -1);
          },
        });
    """)
    findings = lint(code, only="logger-second-arg")
    assert lines_of(findings) == [5, 6, 7, 8, 9, 10]
    assert all(f.severity is Severity.WARNING for f in findings)
    kinds = ["a string", "a number", "a template string", "an array", "a boolean", "a number"]
    for finding, kind in zip(findings, kinds, strict=True):
        assert f"not {kind}" in finding.message
    assert "`logger.info`" in findings[0].message


def test_logger_second_arg_aliased_and_namespace() -> None:
    code = """
        import { logger as log } from "@trigger.dev/sdk";
        import * as sdk from "@trigger.dev/sdk";
        log.info("a", "b"); /*>*/
        sdk.logger.warn("a", 1); /*>*/
    """
    assert lines_of(lint(code, only="logger-second-arg")) == marked(code)


def test_logger_second_arg_silent() -> None:
    code = sdk_code("""
        import pino from "pino";
        const log = pino();
        export const t = task({
          id: "t",
          run: async (payload: { id: string }) => {
            logger.info("ok", { id: payload.id });
            logger.info("no properties");
            logger.info("variable", payload);
            logger.info("call", buildProps());
            console.log("console", "is fine");
            log.info("pino", "is not the SDK logger");
            await logger.trace("span", async () => "x");
          },
        });
    """)
    assert lint(code, only="logger-second-arg") == []


def test_logger_second_arg_local_logger_lookalike() -> None:
    code = """
        import { task } from "@trigger.dev/sdk";
        import { logger } from "./my-logger";
        logger.info("a", "b");
    """
    assert lint(code, only="logger-second-arg") == []


# --- metadata-outside-run --------------------------------------------------------------------


def test_metadata_at_module_level() -> None:
    code = sdk_code("""
        metadata.set("status", "loading"); /*>*/
        metadata.parent.increment("count", 1); /*>*/
        export const t = task({ id: "t", run: async () => {} });
    """)
    findings = lint(code, only="metadata-outside-run")
    assert lines_of(findings) == marked(code)
    assert findings[0].severity is Severity.WARNING
    assert "`metadata.set`" in findings[0].message
    assert "`metadata.parent.increment`" in findings[1].message


def test_metadata_module_level_aliased_and_namespace() -> None:
    code = """
        import { metadata as md } from "@trigger.dev/sdk";
        import * as sdk from "@trigger.dev/sdk";
        md.set("a", 1); /*>*/
        const current = sdk.metadata.current(); /*>*/
    """
    assert lines_of(lint(code, only="metadata-outside-run")) == marked(code)


def test_metadata_silent_inside_functions() -> None:
    code = sdk_code("""
        function progress(n: number) {
          metadata.set("progress", n);
        }
        export const t = task({
          id: "t",
          onStartAttempt: async () => {
            metadata.set("status", "starting");
          },
          run: async () => {
            metadata.set("status", "running").increment("n", 1);
            progress(1);
            await metadata.flush();
          },
        });
    """)
    assert lint(code, only="metadata-outside-run") == []


def test_metadata_silent_for_a_local_metadata_object() -> None:
    code = """
        import { task } from "@trigger.dev/sdk";
        const metadata = new Map<string, string>();
        metadata.set("a", "b");
    """
    assert lint(code, only="metadata-outside-run") == []


STREAM = """
    export const t = task({
      id: "t",
      run: async () => {
        const stream = await openaiStream();
        await metadata.stream("llm", stream);
      },
    });
"""


def test_metadata_stream_is_a_hint_on_4_1() -> None:
    [finding] = lint(sdk_code(STREAM), only="metadata-outside-run", sdk="4.1.0")
    assert finding.severity is Severity.HINT
    assert "streams.pipe" in finding.message
    assert lines_of([finding]) == [6]


@pytest.mark.parametrize("version", ["4.0.2", "3.3.17"])
def test_metadata_stream_silent_before_4_1(version: str) -> None:
    assert lint(sdk_code(STREAM), only="metadata-outside-run", sdk=version) == []


# --- ai-sdk-without-retry --------------------------------------------------------------------

AI_FIRES = {
    "openai client at module level": """
        import OpenAI from "openai";
        const openai = new OpenAI();
        export const summarize = task({
          id: "summarize",
          run: async (payload: { text: string }) => {
            const res = await openai.chat.completions.create({ model: "gpt-4o", messages: [] });
            return res.choices[0];
          },
        });
    """,
    "ai sdk generateText": """
        import { generateText } from "ai";
        import { openai } from "@ai-sdk/openai";
        export const summarize = task({
          id: "summarize",
          run: async (payload: { text: string }) => {
            const { text } = await generateText({ model: openai("gpt-4o"), prompt: payload.text });
            return text;
          },
        });
    """,
    "anthropic client inside run": """
        import Anthropic from "@anthropic-ai/sdk";
        export const summarize = task({
          id: "summarize",
          run: async () => {
            const client = new Anthropic();
            return await client.messages.create({ model: "claude", max_tokens: 10, messages: [] });
          },
        });
    """,
    "langchain scoped package": """
        import { ChatOpenAI } from "@langchain/openai";
        const model = new ChatOpenAI({ model: "gpt-4o" });
        export const summarize = task({
          id: "summarize",
          run: async () => model.invoke("hi"),
        });
    """,
}


@pytest.mark.parametrize("code", AI_FIRES.values(), ids=AI_FIRES.keys())
def test_ai_sdk_without_retry_fires(code: str) -> None:
    [finding] = lint(sdk_code(code), only="ai-sdk-without-retry")
    assert finding.severity is Severity.INFO
    assert 'Task "summarize"' in finding.message


def test_ai_sdk_without_retry_message_and_line() -> None:
    [finding] = lint(
        sdk_code(AI_FIRES["openai client at module level"]), only="ai-sdk-without-retry"
    )
    assert lines_of([finding]) == [7]
    assert "`openai`" in finding.message


def test_ai_sdk_silent_with_task_retry() -> None:
    code = sdk_code("""
        import OpenAI from "openai";
        const openai = new OpenAI();
        export const summarize = task({
          id: "summarize",
          retry: { maxAttempts: 5, factor: 2 },
          run: async () => openai.chat.completions.create({ model: "gpt-4o", messages: [] }),
        });
    """)
    assert lint(code, only="ai-sdk-without-retry") == []


def test_ai_sdk_silent_with_project_default_retries() -> None:
    project = project_with_config("""
        import { defineConfig } from "@trigger.dev/sdk";
        export default defineConfig({
          project: "proj_123",
          maxDuration: 300,
          retries: { enabledInDev: true, default: { maxAttempts: 3 } },
        });
    """)
    code = sdk_code(AI_FIRES["openai client at module level"])
    assert lint(code, only="ai-sdk-without-retry", project=project) == []


def test_ai_sdk_fires_when_project_config_has_no_default_retries() -> None:
    project = project_with_config("""
        import { defineConfig } from "@trigger.dev/sdk";
        export default defineConfig({ project: "proj_123", maxDuration: 300 });
    """)
    code = sdk_code(AI_FIRES["openai client at module level"])
    assert len(lint(code, only="ai-sdk-without-retry", project=project)) == 1


def test_ai_sdk_silent_for_lookalikes_and_outside_run() -> None:
    code = sdk_code("""
        import type OpenAI from "openai";
        import { openai as localAi } from "./ai";
        import { OpenAI as V2 } from "@trigger.dev/openai";
        import { generateText } from "ai";

        const warmup = generateText({ model: "x", prompt: "hi" });

        export const t = task({
          id: "t",
          run: async (payload: { client: OpenAI }) => {
            await localAi.complete("x");
            return warmup;
          },
        });
    """)
    assert lint(code, only="ai-sdk-without-retry") == []


def test_ai_sdk_silent_when_options_spread_a_shared_policy() -> None:
    code = sdk_code("""
        import OpenAI from "openai";
        import { llmDefaults } from "./defaults";
        const openai = new OpenAI();
        export const summarize = task({
          ...llmDefaults,
          id: "summarize",
          run: async () => openai.chat.completions.create({ model: "gpt-4o", messages: [] }),
        });
    """)
    assert lint(code, only="ai-sdk-without-retry") == []


def test_catch_without_rethrow_ignores_a_later_function_declaration() -> None:
    code = sdk_code("""
        export const t = task({
          id: "t",
          run: async () => {
            try {
              await fetch("https://example.com");
            } catch (e) { /*>*/
              logger.warn("ignored", { e });
            }
            function fail() {
              throw new Error("never called here");
            }
          },
        });
    """)
    assert lines_of(lint(code, only="catch-without-rethrow")) == marked(code)
