-- Cold start in Neovim: with a trigger-lsp config loaded (-u), opens a copy of
-- examples/src/trigger/month-end.ts and writes the wall-clock time at which the first
-- trigger-lsp diagnostics reached vim.diagnostic (and at which every expected one had).
-- The server's spawn time is written by the wrapper that starts it (cold_start.py).
-- Env: TRIGGER_LSP_WS (the workspace copy), TRIGGER_LSP_REPORT (JSON output path).
local uv = vim.uv or vim.loop
local ws = assert(os.getenv('TRIGGER_LSP_WS'), 'TRIGGER_LSP_WS not set')
local report_path = assert(os.getenv('TRIGGER_LSP_REPORT'), 'TRIGGER_LSP_REPORT not set')
local report = {}

local function now()
  -- as text: json_encode keeps only about 7 digits of a number
  local s, us = uv.gettimeofday()
  return string.format('%d.%06d', s, us)
end

local function finish()
  local f = assert(io.open(report_path, 'w'))
  f:write(vim.fn.json_encode(report))
  f:close()
  for _, c in pairs(vim.lsp.get_clients()) do
    vim.lsp.stop_client(c.id, true)
  end
  vim.wait(300)
  vim.cmd('qall!')
end

local function codes(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'trigger-lsp' then
      out[d.code] = true
    end
  end
  return out
end

vim.api.nvim_create_autocmd('DiagnosticChanged', {
  callback = function(ev)
    local found = codes(ev.buf)
    if report.first == nil and next(found) ~= nil then
      report.first = now()
    end
    if report.cross_file == nil and found['duplicate-task-id'] then
      report.cross_file = now()
    end
  end,
})

report.open = now()
vim.cmd.edit(ws .. '/src/trigger/month-end.ts')
vim.wait(15000, function()
  return report.cross_file ~= nil
end, 5)
local c = vim.lsp.get_clients()[1]
if c then
  report.pulls = c.server_capabilities.diagnosticProvider ~= nil
end
finish()
