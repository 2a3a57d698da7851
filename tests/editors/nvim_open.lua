-- Neovim with a shipped trigger-lsp config has opened one file: report whether the server was
-- started for it and the diagnostics it got. Waits for TRIGGER_LSP_WAIT_CODE (a rule id) up to
-- TRIGGER_LSP_WAIT_MS, or the whole time when none is given.
-- Env: TRIGGER_LSP_REPORT (JSON output path).
local report_path = assert(os.getenv('TRIGGER_LSP_REPORT'), 'TRIGGER_LSP_REPORT not set')
local code = os.getenv('TRIGGER_LSP_WAIT_CODE')
local wait_ms = tonumber(os.getenv('TRIGGER_LSP_WAIT_MS') or '3000')
local bufnr = vim.api.nvim_get_current_buf()
local all = vim.lsp.get_clients or vim.lsp.get_active_clients

local function codes()
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(out, { code = d.code or (d.user_data and d.user_data.lsp or {}).code, line = d.lnum + 1, message = d.message })
  end
  return out
end

vim.wait(wait_ms, function()
  if not code then
    return false
  end
  for _, d in ipairs(codes()) do
    if d.code == code then
      return true
    end
  end
  return false
end, 50)

local report = { filetype = vim.bo[bufnr].filetype, clients = {}, diagnostics = codes() }
for _, c in pairs(all()) do
  table.insert(report.clients, { name = c.name, root_dir = c.config.root_dir })
end
local f = assert(io.open(report_path, 'w'))
f:write(vim.fn.json_encode(report))
f:close()
for _, c in pairs(all()) do
  vim.lsp.stop_client(c.id, true)
end
vim.wait(300)
vim.cmd('qall!')
