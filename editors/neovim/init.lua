-- trigger-lsp for Neovim 0.11+ (vim.lsp.config / vim.lsp.enable), self-contained.
-- Use it from your init.lua with:  dofile('/path/to/editors/neovim/init.lua')
-- `trigger-lsp` must be on PATH (pipx install trigger-lsp), or set
--   vim.g.trigger_lsp_cmd = { '/full/path/trigger-lsp', 'serve' }
-- before loading this file. editors/neovim/lsp/trigger_lsp.lua holds the same config as a file
-- for your runtimepath; editors/README.md explains each part.
local here = debug.getinfo(1, 'S').source:sub(2):match('(.*[/\\])') or './'
local config = dofile(here .. 'lsp/trigger_lsp.lua')
if vim.g.trigger_lsp_cmd then
  config.cmd = vim.g.trigger_lsp_cmd
end
vim.lsp.config('trigger_lsp', config)
vim.lsp.enable('trigger_lsp')

-- Neovim 0.11 shows diagnostics only as signs and underlines by default: also show the message
-- at the end of the line, and errors before warnings. (This is global: remove it if your
-- configuration sets vim.diagnostic.config itself.)
vim.diagnostic.config({ virtual_text = true, severity_sort = true })
