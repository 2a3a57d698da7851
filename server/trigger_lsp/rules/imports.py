"""Rules: imports and keys (SDK import paths, the v2 API, hard-coded secret keys)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from trigger_lsp.analysis.syntax import string_value
from trigger_lsp.rules.base import Edit, FileContext, Fix, Report, Span, rule

# A Trigger.dev secret key or personal access token: a known prefix and a key body. The pattern
# is linear (no nested quantifiers) and runs only over string-literal contents.
_KEY = re.compile(r"(?<![A-Za-z0-9_])tr_(dev|stg|prod|preview|pat)_([A-Za-z0-9_]{16,512})")


def _looks_real(body: str) -> bool:
    return len(set(body.lower())) > 4  # "xxxxxxxxxxxxxxxxxxxx" is a placeholder


@rule("hardcoded-secret-key", any_file=True)
def hardcoded_secret_key(ctx: FileContext) -> Iterator[Report]:
    for node in ctx.model.of("string") + ctx.model.of("template"):
        raw = ctx.source[node.start_byte : node.end_byte]
        if b"tr_" not in raw:
            continue
        content = raw.decode("utf-8", "replace")
        for m in _KEY.finditer(content):
            if not _looks_real(m.group(2)):
                continue
            kind = "pat" if m.group(1) == "pat" else "secret"
            variable = "TRIGGER_ACCESS_TOKEN" if kind == "pat" else "TRIGGER_SECRET_KEY"
            fix = None
            if string_value(node) == m.group(0):
                fix = Fix((Edit(node.start_byte, node.end_byte, f"process.env.{variable}"),))
            start = node.start_byte + len(content[: m.start()].encode())
            end = node.start_byte + len(content[: m.end()].encode())
            yield Report(
                Span(start, end),
                "pat" if kind == "pat" else None,
                {"prefix": f"tr_{m.group(1)}_", "variable": variable},
                fix,
            )
