-- trigger-lsp for Neovim 0.11+: copy this file to ~/.config/nvim/lsp/trigger_lsp.lua and add
--   vim.lsp.enable('trigger_lsp')
-- to your init.lua (or use ../init.lua, which does both and also turns on what is below).
-- `trigger-lsp` must be on PATH (pipx install trigger-lsp), or replace cmd with its full path.

-- A Trigger.dev project is a folder with a trigger.config.*: the server starts only there, not in
-- every JavaScript project with a package.json.
local root_markers = {
  'trigger.config.ts',
  'trigger.config.mts',
  'trigger.config.cts',
  'trigger.config.js',
  'trigger.config.mjs',
  'trigger.config.cjs',
}

---@type vim.lsp.Config
return {
  cmd = { 'trigger-lsp', 'serve' },
  -- json: the project's package.json (sdk-version-mismatch); other JSON files are left alone.
  filetypes = { 'typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'json' },
  -- `root_markers` alone would still start the server, rootless, where none is found (0.11.4
  -- lsp.lua:708-723); this root_dir starts it only when a marker is found above the file.
  root_dir = function(bufnr, on_dir)
    local name = vim.fs.basename(vim.api.nvim_buf_get_name(bufnr))
    if vim.bo[bufnr].filetype == 'json' and name ~= 'package.json' then
      return
    end
    local root = vim.fs.root(bufnr, root_markers)
    if root then
      on_dir(root)
    end
  end,
  on_attach = function(client, bufnr)
    -- Snippets (tr-task, ...) and completion as you type: Neovim's default completion
    -- (omnifunc, <C-x><C-o>) inserts a snippet's trigger text literally.
    if client:supports_method('textDocument/completion') then
      vim.lsp.completion.enable(true, client.id, bufnr, { autotrigger = true })
    end
    -- Code lenses are drawn only after a refresh; keep them current.
    if client:supports_method('textDocument/codeLens') then
      vim.lsp.codelens.refresh({ bufnr = bufnr })
      vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
        group = vim.api.nvim_create_augroup('trigger_lsp_codelens_' .. bufnr, { clear = true }),
        buffer = bufnr,
        callback = function()
          vim.lsp.codelens.refresh({ bufnr = bufnr })
        end,
      })
    end
  end,
  -- Settings (section "trigger-lsp", see docs/editors.md). Leave it out rather than empty:
  -- an empty Lua table is sent as a JSON array.
  -- settings = { ['trigger-lsp'] = { rules = { ['task-no-logging'] = 'off' } } },
}
