-- Neovim 0.11 with a shipped trigger-lsp config: the tr-task snippet typed and accepted as a user
-- does (insert mode, completion menu, <C-y>), to see that the config's vim.lsp.completion expands
-- it (the default omnifunc inserts the trigger text). Then the code lenses the config refreshed.
-- Env: TRIGGER_LSP_REPORT (JSON output path).
local uv = vim.uv or vim.loop
local report_path = assert(os.getenv('TRIGGER_LSP_REPORT'), 'TRIGGER_LSP_REPORT not set')
local t0 = uv.hrtime()
local report = { log = {} }
local bufnr = vim.api.nvim_get_current_buf()

local function log(msg)
  table.insert(report.log, string.format('[%dms] %s', (uv.hrtime() - t0) / 1e6, msg))
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

local function keys(k)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(k, true, false, true), 'n', false)
end

-- Poll `cond` every 50 ms (keys are only read between callbacks), then run `next` or give up.
local function after(cond, timeout_ms, what, next)
  local deadline = uv.now() + timeout_ms
  local function poll()
    local ok, value = pcall(cond)
    if ok and value then
      next(value)
    elseif uv.now() > deadline then
      report.error = 'timed out waiting for ' .. what
      report.errmsg = vim.v.errmsg
      report.mode = vim.api.nvim_get_mode().mode
      report.line = vim.api.nvim_get_current_line()
      finish()
    else
      vim.defer_fn(poll, 50)
    end
  end
  vim.defer_fn(poll, 50)
end

after(function()
  local c = vim.lsp.get_clients({ bufnr = bufnr, name = 'trigger_lsp' })[1]
  return c and c.initialized and #vim.diagnostic.get(bufnr) > 0 and c
end, 20000, 'the server', function(client)
  log('attached')
  report.codelens_supported = client:supports_method('textDocument/codeLens')
  report.codelens = #vim.lsp.codelens.get(bufnr)
  report.completeopt = vim.o.completeopt
  keys('Go<CR>tr-tas')
  after(function()
    return vim.api.nvim_get_mode().mode == 'i'
  end, 5000, 'insert mode', function()
    keys('<Cmd>lua vim.lsp.completion.get()<CR>')
    -- (headless, there is no popup to see: pumvisible() stays 0; the items are there)
    after(function()
      return #vim.fn.complete_info({ 'items' }).items > 0
    end, 10000, 'the completion menu', function()
      local info = vim.fn.complete_info({ 'items', 'selected' })
      report.menu = {}
      local index
      for i, item in ipairs(info.items) do
        table.insert(report.menu, item.word)
        if not index and (item.abbr == 'tr-task' or item.word == 'tr-task') then
          index = i
        end
      end
      log('menu: ' .. #report.menu .. ' items, tr-task at ' .. tostring(index))
      if not index then
        report.error = 'no tr-task in the menu'
        return finish()
      end
      -- select it (from no selection, or from the first item) and accept
      local selected = info.selected >= 0 and info.selected + 1 or 0
      keys(string.rep('<C-n>', index - selected) .. '<C-y>')
      after(function()
        local text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
        return text:find('= task%(') and text
      end, 5000, 'the expanded snippet', function()
        keys('<Esc>')
        local last = vim.api.nvim_buf_line_count(bufnr)
        report.inserted = vim.api.nvim_buf_get_lines(bufnr, math.max(0, last - 12), last, false)
        log('snippet expanded')
        -- lenses may come after the first diagnostics: look again before leaving
        vim.wait(2000, function()
          return #vim.lsp.codelens.get(bufnr) > 0
        end, 50)
        report.codelens = #vim.lsp.codelens.get(bufnr)
        finish()
      end)
    end)
  end)
end)
