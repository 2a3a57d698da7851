-- trigger-lsp for Neovim 0.11+: copy this file to ~/.config/nvim/lsp/trigger_lsp.lua and add
--   vim.lsp.enable('trigger_lsp')
-- to your init.lua (or use ../init.lua, which does both).
---@type vim.lsp.Config
return {
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
}
