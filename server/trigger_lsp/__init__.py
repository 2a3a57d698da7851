"""trigger-lsp: a language server and linter for Trigger.dev task files."""

__version__ = "0.1.0"
