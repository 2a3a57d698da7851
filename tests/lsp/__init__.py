"""End-to-end tests of the language server over its protocol."""
