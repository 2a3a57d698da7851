"""Editor features beyond diagnostics: hover, completion and navigation (routed in
lsp/routes.py)."""
