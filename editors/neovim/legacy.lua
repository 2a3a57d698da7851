-- trigger-lsp for Neovim 0.8-0.10 (vim.lsp.start from a FileType autocmd).
-- Use it from your init.lua with:  dofile('/path/to/editors/neovim/legacy.lua')
-- On 0.7 it falls back to vim.lsp.start_client, one client per project root.
-- `trigger-lsp` must be on PATH, or set vim.g.trigger_lsp_cmd = { '/full/path/trigger-lsp', 'serve' }
-- before loading this file.
-- A Trigger.dev project is a folder with a trigger.config.*: the server starts only there.
local markers = {
  'trigger.config.ts',
  'trigger.config.mts',
  'trigger.config.cts',
  'trigger.config.js',
  'trigger.config.mjs',
  'trigger.config.cjs',
}

local uv = vim.uv or vim.loop

-- The directory of the first marker found walking up from `path` (markers in priority order).
local function find_root(path)
  for _, marker in ipairs(markers) do
    local dir = vim.fn.fnamemodify(path, ':p:h')
    while true do
      if uv.fs_stat(dir .. '/' .. marker) then
        return dir
      end
      local parent = vim.fn.fnamemodify(dir, ':h')
      if parent == dir then
        break
      end
      dir = parent
    end
  end
  return nil
end

local clients_by_root = {} -- Neovim 0.7 only: vim.lsp.start does this bookkeeping itself

vim.api.nvim_create_autocmd('FileType', {
  group = vim.api.nvim_create_augroup('trigger_lsp', { clear = true }),
  -- json: the project's package.json (sdk-version-mismatch); other JSON files are left alone.
  pattern = { 'typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'json' },
  callback = function(args)
    local file = vim.api.nvim_buf_get_name(args.buf)
    if file == '' then
      return
    end
    if vim.bo[args.buf].filetype == 'json' and vim.fn.fnamemodify(file, ':t') ~= 'package.json' then
      return
    end
    local root = find_root(file)
    if not root then
      return -- not in a Trigger.dev project
    end
    local settings = vim.g.trigger_lsp_settings
    local config = {
      name = 'trigger_lsp',
      cmd = vim.g.trigger_lsp_cmd or { 'trigger-lsp', 'serve' },
      root_dir = root,
      -- User settings, e.g.
      -- vim.g.trigger_lsp_settings = { ['trigger-lsp'] = { rules = { ['task-no-logging'] = 'off' } } }
      -- sent in reply to workspace/configuration, and as initializationOptions because
      -- Neovim 0.7 never tells the server that it can ask for them.
      settings = settings,
      init_options = settings and settings['trigger-lsp'] or nil,
    }
    if vim.lsp.start then
      vim.lsp.start(config, { bufnr = args.buf })
      return
    end
    local id = clients_by_root[root]
    if not id or vim.lsp.client_is_stopped(id) then
      config.workspace_folders = { { uri = vim.uri_from_fname(root), name = root } }
      id = vim.lsp.start_client(config)
      clients_by_root[root] = id
    end
    if id then
      vim.lsp.buf_attach_client(args.buf, id)
    end
  end,
})
