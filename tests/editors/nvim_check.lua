-- Drives a headless Neovim (0.7 and 0.11) that has loaded a trigger-lsp config and opened a
-- copy of examples/src/trigger/month-end.ts; writes what it saw as JSON for test_neovim.py.
-- Env: TRIGGER_LSP_WS (the workspace copy), TRIGGER_LSP_REPORT (JSON output path).
local uv = vim.uv or vim.loop
local ws = assert(os.getenv('TRIGGER_LSP_WS'), 'TRIGGER_LSP_WS not set')
local report_path = assert(os.getenv('TRIGGER_LSP_REPORT'), 'TRIGGER_LSP_REPORT not set')
local t0 = uv.hrtime()
local v = vim.version()
local report = { nvim = string.format('%d.%d.%d', v.major, v.minor, v.patch), log = {} }

local function log(msg)
  table.insert(report.log, string.format('[%dms] %s', (uv.hrtime() - t0) / 1e6, msg))
end

local function clients(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr })
  end
  return vim.lsp.buf_get_clients(bufnr)
end

local function finish()
  local f = assert(io.open(report_path, 'w'))
  f:write(vim.fn.json_encode(report))
  f:close()
  for _, c in pairs((vim.lsp.get_clients or vim.lsp.get_active_clients)()) do
    vim.lsp.stop_client(c.id, true)
  end
  vim.wait(300)
  vim.cmd('qall!')
end

local function diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    -- 0.7 keeps only the extra LSP fields in user_data.lsp: rebuild the LSP diagnostic
    local extra = d.user_data and d.user_data.lsp or {}
    local lsp_d = {
      range = {
        start = { line = d.lnum, character = d.col },
        ['end'] = { line = d.end_lnum or d.lnum, character = d.end_col or d.col },
      },
      severity = d.severity,
      message = extra.message or d.message,
      source = d.source or extra.source,
      code = d.code or extra.code,
      data = extra.data,
    }
    table.insert(out, {
      line = d.lnum + 1,
      col = d.col + 1,
      code = lsp_d.code,
      source = lsp_d.source,
      message = d.message,
      lsp = lsp_d,
    })
  end
  return out
end

local function has_code(bufnr, code)
  for _, d in ipairs(diagnostics(bufnr)) do
    if d.code == code then
      return d
    end
  end
  return nil
end

local function request(bufnr, method, params)
  local res, err = vim.lsp.buf_request_sync(bufnr, method, params, 10000)
  if not res then
    log(method .. ' failed: ' .. tostring(err))
    return nil
  end
  for _, r in pairs(res) do
    if r.error then
      log(method .. ' error: ' .. vim.inspect(r.error))
    elseif r.result ~= nil and r.result ~= vim.NIL then
      return r.result
    end
  end
  return nil
end

local function hover_text(result)
  if not result then
    return nil
  end
  local c = result.contents
  if type(c) == 'string' then
    return c
  end
  if c.value then
    return c.value
  end
  local parts = {}
  for _, item in ipairs(c) do
    table.insert(parts, type(item) == 'string' and item or item.value)
  end
  return table.concat(parts, '\n')
end

local function main()
  local bufnr = vim.api.nvim_get_current_buf()
  report.filetype = vim.bo[bufnr].filetype
  local uri = vim.uri_from_bufnr(bufnr)

  -- 1. diagnostics: the file's own findings, then duplicate-task-id once the workspace is indexed
  local ok = vim.wait(20000, function()
    return has_code(bufnr, 'parallel-waits') ~= nil
  end, 50)
  log('month-end diagnostics: ' .. tostring(ok))
  ok = vim.wait(8000, function()
    return has_code(bufnr, 'duplicate-task-id') ~= nil
  end, 50)
  log('month-end cross-file diagnostic: ' .. tostring(ok))
  report.diagnostics = diagnostics(bufnr)
  local c = clients(bufnr)[1]
  if c then
    local caps = c.capabilities or c.config.capabilities or vim.lsp.protocol.make_client_capabilities()
    local ws_diag = caps.workspace and caps.workspace.diagnostics
    report.client = {
      name = c.name,
      root_dir = c.config.root_dir or c.root_dir,
      pulls = (c.server_capabilities or c.resolved_capabilities or {}).diagnosticProvider ~= nil
        and caps.textDocument ~= nil and caps.textDocument.diagnostic ~= nil,
      refresh_support = ws_diag ~= nil and ws_diag.refreshSupport == true,
      snippets = vim.tbl_get and vim.tbl_get(caps, 'textDocument', 'completion', 'completionItem', 'snippetSupport')
        or (caps.textDocument.completion.completionItem or {}).snippetSupport or false,
    }
  end

  -- 2. hover on the parallel-waits finding
  local pw = has_code(bufnr, 'parallel-waits')
  local line, col = 61, 29
  if pw then
    line, col = pw.line - 1, pw.col - 1
  end
  local pos = { textDocument = { uri = uri }, position = { line = line, character = col + 2 } }
  report.hover = hover_text(request(bufnr, 'textDocument/hover', pos))
  log('hover answered: ' .. tostring(report.hover ~= nil))

  -- 3. completion: the tr-task snippet on a new top-level line
  local last = vim.api.nvim_buf_line_count(bufnr)
  vim.api.nvim_buf_set_lines(bufnr, last, last, false, { '', 'tr-task' })
  local comp = request(bufnr, 'textDocument/completion', {
    textDocument = { uri = uri },
    position = { line = last + 1, character = 7 },
  })
  local items = comp and (comp.items or comp) or {}
  report.completion = {}
  for _, item in ipairs(items) do
    local text = item.textEdit and item.textEdit.newText or item.insertText or item.label
    table.insert(report.completion, {
      label = item.label,
      kind = item.kind,
      format = item.insertTextFormat,
      text = text,
    })
  end
  log('completion items: ' .. #report.completion)
  vim.api.nvim_buf_set_lines(bufnr, last, last + 2, false, {})

  -- 4. quick fix in another file: hardcoded-secret-key in route.ts
  vim.cmd('edit ' .. vim.fn.fnameescape(ws .. '/src/app/api/invoices/route.ts'))
  local rbuf = vim.api.nvim_get_current_buf()
  vim.wait(15000, function()
    return has_code(rbuf, 'hardcoded-secret-key') ~= nil
  end, 50)
  local secret = has_code(rbuf, 'hardcoded-secret-key')
  report.route_before = vim.api.nvim_buf_get_lines(rbuf, 5, 6, false)[1]
  if not secret then
    log('no hardcoded-secret-key diagnostic in route.ts')
    return
  end
  local function is_fix(action)
    return action.edit ~= nil and not action.title:match('^Ignore') and not action.title:match('^Explain')
  end
  local actions = request(rbuf, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(rbuf) },
    range = secret.lsp.range,
    context = { diagnostics = { secret.lsp } },
  }) or {}
  report.code_actions = {}
  for _, a in ipairs(actions) do
    table.insert(report.code_actions, a.title)
  end
  local tick = vim.api.nvim_buf_get_changedtick(rbuf)
  vim.api.nvim_win_set_cursor(0, { secret.line, secret.col })
  if vim.fn.has('nvim-0.8') == 1 then
    -- what a user runs: the code action menu, narrowed to the fix so it applies at once
    vim.lsp.buf.code_action({ filter = is_fix, apply = true })
  else
    for _, a in ipairs(actions) do
      if is_fix(a) then
        report.applied = a.title
        vim.lsp.util.apply_workspace_edit(a.edit, clients(rbuf)[1].offset_encoding)
        break
      end
    end
  end
  vim.wait(10000, function()
    return vim.api.nvim_buf_get_changedtick(rbuf) ~= tick
  end, 50)
  report.route_after = vim.api.nvim_buf_get_lines(rbuf, 5, 6, false)[1]
  vim.wait(10000, function()
    return has_code(rbuf, 'hardcoded-secret-key') == nil
  end, 50)
  report.route_diagnostics_after = diagnostics(rbuf)
  log('quick fix done')
end

local ok, err = pcall(main)
if not ok then
  report.error = tostring(err)
end
finish()
