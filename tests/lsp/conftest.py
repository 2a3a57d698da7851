"""Fixtures that start the real server process over stdio and drive it with pytest-lsp."""

from __future__ import annotations

import sys

import pytest_lsp
from pytest_lsp import ClientServerConfig, LanguageClient

SERVER = [sys.executable, "-m", "trigger_lsp", "serve"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()
