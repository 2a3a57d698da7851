-- trigger-lsp for Neovim 0.11+ (vim.lsp.config / vim.lsp.enable), self-contained.
-- Use it from your init.lua with:  dofile('/path/to/editors/neovim/init.lua')
-- or copy the two statements below. `trigger-lsp` must be on PATH (pipx install trigger-lsp),
-- or replace cmd with the full path of the executable.
vim.lsp.config('trigger_lsp', {
  cmd = { 'trigger-lsp', 'serve' },
  filetypes = { 'typescript', 'typescriptreact', 'javascript', 'javascriptreact' },
  -- The first marker found walking up from the file wins, so a trigger.config.* above a
  -- nested package.json (monorepos) makes the Trigger.dev project the root.
  root_markers = {
    'trigger.config.ts',
    'trigger.config.mts',
    'trigger.config.js',
    'trigger.config.mjs',
    'package.json',
    '.git',
  },
  -- Settings (section "trigger-lsp", see docs/editors.md). Leave it out rather than empty:
  -- an empty Lua table is sent as a JSON array.
  -- settings = { ['trigger-lsp'] = { rules = { ['task-no-logging'] = 'off' } } },
})
vim.lsp.enable('trigger_lsp')
