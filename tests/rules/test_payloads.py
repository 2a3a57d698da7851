"""Tests for the payload rules: payload-date (off by default), class instances, large payloads."""

from __future__ import annotations

from functools import partial

import helpers
from helpers import SDK_IMPORT, lines_of, lint, marked

CHILD = (
    'import { child } from "./children";\n'
    'import { readFileSync } from "node:fs";\n'
    'import fs from "node:fs/promises";\n'
)


in_run = partial(helpers.in_run, imports=SDK_IMPORT + CHILD)  # (this file's imports)


# --- payload-date ----------------------------------------------------------------------------

DATES = in_run("""
    await child.trigger({ at: new Date(), id: payload.id });
    await tasks.trigger<typeof child>("child", { at: new Date(payload.at) });
    await child.batchTrigger([{ payload: { at: new Date(0) } }]);
""")


def test_payload_date_is_off_by_default():
    assert lint(DATES, only="payload-date") == []


def test_payload_date_fires_when_enabled_as_info():
    findings = lint(DATES, only="payload-date", enable=("payload-date",))
    assert lines_of(findings) == [9, 10, 11]
    assert findings[0].severity.value == "info"
    assert "arrives as a Date" in findings[0].message


def test_payload_date_follows_a_payload_variable():
    code = in_run("""
        const body = { when: new Date() };
        await child.trigger(body); /*>*/
    """)
    findings = lint(code, only="payload-date", enable=("payload-date",))
    assert lines_of(findings) == marked(code)


def test_payload_date_must_not_fire_on_strings_or_options():
    code = in_run("""
        await child.trigger({ at: new Date().toISOString(), ts: Date.now() });
        await child.trigger({ id: 1 }, { delay: new Date(Date.now() + 60_000) });
        const local = new Date();
    """)
    assert lint(code, only="payload-date", enable=("payload-date",)) == []


# --- payload-class-instance ------------------------------------------------------------------


def test_class_instance_fires_on_user_classes():
    code = in_run("""
        class Invoice { constructor(public id: string) {} total() { return 1; } }
        await child.trigger({ invoice: new Invoice(payload.id) }); /*>*/
        await child.triggerAndWait(new Invoice("x")); /*>*/
        await child.batchTrigger(payload.ids.map((id: string) => ({
          payload: { invoice: new Invoice(id) }, /*>*/
        })));
        const order = new OrderModel(payload);
        await tasks.trigger<typeof child>("child", { order }); /*>*/
    """)
    findings = lint(code, only="payload-class-instance")
    assert lines_of(findings) == marked(code)
    assert "`new Invoice(...)`" in findings[0].message
    assert "OrderModel" in findings[3].message


def test_class_instance_must_not_fire_on_built_ins():
    code = in_run("""
        await child.trigger({
          at: new Date(),
          tags: new Set(["a"]),
          counts: new Map([["a", 1]]),
          pattern: new RegExp("x"),
          url: new URL("https://example.com"),
          error: new Error("boom"),
          typeError: new TypeError("bad"),
          custom: new ValidationError("bad"),
          bytes: new Uint8Array(4),
          query: new URLSearchParams("a=1"),
        });
    """)
    assert lint(code, only="payload-class-instance") == []


def test_class_instance_must_not_fire_when_converted_or_outside_payload():
    code = in_run("""
        const invoice = new Invoice(payload.id);
        await child.trigger({ invoice: invoice.toJSON(), id: new Invoice("y").id });
        await child.trigger({ id: 1 }, { metadata: { x: new Invoice("z") } });
        await child.trigger({ make: () => new Invoice("w") });
    """)
    assert lint(code, only="payload-class-instance") == []


def test_class_instance_must_not_fire_on_shadowing_parameter():
    code = in_run("""
        const invoice = new Invoice(payload.id);
        const send = async (invoice: { id: string }) => child.trigger({ invoice });
        await send({ id: invoice.id });
    """)
    assert lint(code, only="payload-class-instance") == []


def test_class_instance_with_aliased_and_namespace_imports():
    code = """
        import { task as t } from "@trigger.dev/sdk";
        import * as sdk from "@trigger.dev/sdk";
        import { child } from "./children";

        export const parent = t({
          id: "parent",
          run: async () => {
            await sdk.tasks.trigger<typeof child>("child", { a: new Invoice("x") }); /*>*/
            await child.trigger({ a: new Invoice("y") }); /*>*/
          },
        });
    """
    assert lines_of(lint(code, only="payload-class-instance")) == marked(code)


# --- large-payload ---------------------------------------------------------------------------


def test_large_payload_fires_on_file_contents():
    code = in_run("""
        await child.trigger({ file: readFileSync(payload.path, "utf8") });
        await child.trigger({ image: Buffer.from(payload.bytes) });
        await child.trigger({ pdf: (await fs.readFile(payload.path)).toString("base64") });
        const body = await (await fetch(payload.url)).arrayBuffer();
        await tasks.trigger<typeof child>("child", { body });
        await child.trigger({ text: `data:${readFileSync(payload.path).toString("base64")}` });
    """)
    findings = lint(code, only="large-payload")
    assert lines_of(findings) == [9, 10, 11, 13, 14]
    assert "readFileSync()" in findings[0].message
    assert "Buffer" in findings[1].message
    assert "base64" in findings[2].message
    assert "arrayBuffer()" in findings[3].message


def test_large_payload_fires_on_huge_literals():
    items = ", ".join(str(i) for i in range(1001))
    big = "x" * (512 * 1024 + 1)
    code = in_run(f"""
        await child.trigger({{ items: [{items}] }});
        await child.trigger({{ blob: "{big}" }});
    """)
    findings = lint(code, only="large-payload")
    assert lines_of(findings) == [9, 10]
    assert "1,001 elements" in findings[0].message
    assert "KB string literal" in findings[1].message


def test_large_payload_must_not_fire_on_small_payloads_or_uploads():
    items = ", ".join(str(i) for i in range(1000))
    code = in_run(f"""
        await child.trigger({{ ids: payload.ids, userId: payload.userId }});
        await child.trigger({{ url: await upload(readFileSync(payload.path)) }});
        await child.trigger({{ items: [{items}] }});
        await child.trigger({{ name: payload.name.toString() }});
        const contents = readFileSync(payload.path, "utf8");
        await child.trigger({{ lines: contents.split("\\n").length }});
    """)
    assert lint(code, only="large-payload") == []
