-- The codemeld requests behind the commands. Each finds the buffer's
-- codemeld client, sends one request with client:request() (or
-- client:exec_cmd()), and shows the answer.
local config = require('codemeld.config')
local format = require('codemeld.format')

local M = {}

local function notify(msg, level)
  vim.notify(msg, level or vim.log.levels.INFO, { title = 'codemeld' })
end

local function client_for(bufnr)
  local client = vim.lsp.get_clients({ bufnr = bufnr, name = 'codemeld' })[1]
  if not client then
    notify('codemeld: no codemeld server attached to this buffer', vim.log.levels.WARN)
  end
  return client
end

--- The action's buffer (opts.bufnr, else the current one) and its codemeld
--- client; no client (reported) when none is attached.
local function attached(opts)
  local bufnr = opts.bufnr or vim.api.nvim_get_current_buf()
  return bufnr, client_for(bufnr)
end

--- A handler that reports errors and empty answers, and calls on_result otherwise.
local function handler(what, on_result, empty)
  return function(err, result, ctx)
    if err then
      notify(string.format('codemeld %s failed: %s', what, err.message or vim.inspect(err)), vim.log.levels.ERROR)
    elseif result == nil or result == vim.NIL then
      notify(string.format('codemeld %s: %s', what, empty or 'nothing at the cursor'), vim.log.levels.WARN)
    else
      on_result(result, ctx)
    end
  end
end

local function float(lines, focus_id)
  return vim.lsp.util.open_floating_preview(lines, 'markdown', {
    border = config.options.border,
    focus_id = focus_id,
    max_width = math.max(40, math.floor(vim.o.columns * 0.6)),
    max_height = math.max(10, math.floor(vim.o.lines * 0.6)),
  })
end

--- Fills the quickfix list; opens it (when configured and `open`) and goes
--- back to the code, so a summary floats next to the cursor.
local function quickfix(title, items, open)
  vim.fn.setqflist({}, ' ', { title = title, items = items })
  if open and config.options.open_quickfix and #items > 0 then
    vim.cmd('botright copen')
    vim.cmd('wincmd p')
  end
end

--- :CodemeldImpact [depth]
function M.impact(opts)
  opts = opts or {}
  local bufnr, client = attached(opts)
  if not client then
    return
  end
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  params.depth = opts.depth or config.options.impact.depth
  params.limit = opts.limit or config.options.impact.limit
  client:request('codemeld/impact', params, handler('impact', function(report)
    local items = format.impact_items(report, client.root_dir, client.offset_encoding)
    quickfix(format.impact_title(report), items, true)
    float(format.impact_summary(report), 'codemeld-impact')
  end), bufnr)
end

--- :CodemeldExplain
function M.explain(opts)
  opts = opts or {}
  local bufnr, client = attached(opts)
  if not client then
    return
  end
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  client:request('codemeld/explain', params, handler('explain', function(result)
    float(format.explain_lines(result), 'codemeld-explain')
  end), bufnr)
end

--- :CodemeldSearch {query}
function M.search(opts)
  opts = opts or {}
  local bufnr = opts.bufnr or vim.api.nvim_get_current_buf()
  local query = vim.trim(opts.query or '')
  if query == '' then
    notify('codemeld search: give a query, e.g. :CodemeldSearch format a price', vim.log.levels.WARN)
    return
  end
  local client = client_for(bufnr)
  if not client then
    return
  end
  local params = { query = query, limit = opts.limit or config.options.search.limit }
  client:request('codemeld/search', params, handler('search', function(results)
    if #results == 0 then
      notify('codemeld search: no results for ' .. query)
      return
    end
    vim.ui.select(results, { prompt = 'codemeld: ' .. query, format_item = format.search_item }, function(choice)
      if choice then
        local location = { uri = format.uri_of(choice.symbol, client.root_dir), range = choice.symbol.range }
        vim.lsp.util.show_document(location, client.offset_encoding, { focus = true })
      end
    end)
  end), bufnr)
end

--- :CodemeldStatus
function M.status(opts)
  opts = opts or {}
  local bufnr, client = attached(opts)
  if not client then
    return
  end
  -- Always send params: a request without them gets no answer from pygls.
  client:request('codemeld/status', vim.empty_dict(), handler('status', function(status)
    notify(format.status_text(status))
  end), bufnr)
end

--- :CodemeldAffectedTests: the tests affected by the current change (git's
--- uncommitted changes plus the unsaved buffers the server holds) go to the
--- quickfix list. `opts.on_result(answer, root)` runs after that (the runner).
function M.affected_tests(opts)
  opts = opts or {}
  local bufnr, client = attached(opts)
  if not client then
    return
  end
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, git = true }
  client:request('codemeld/affectedTests', params, handler('affected tests', function(answer)
    local root = format.affected_root(answer, client.root_dir)
    local items = format.affected_items(answer, root, client.offset_encoding)
    quickfix('codemeld affected tests', items, not opts.on_result)
    notify(format.affected_summary(answer))
    if opts.on_result then
      opts.on_result(answer, root)
    end
  end, 'no workspace holds this buffer'), bufnr)
end

--- :CodemeldRunAffectedTests [pytest args]: the same selection, then pytest
--- on exactly those node ids in a terminal split; nothing runs without tests.
function M.run_affected_tests(opts)
  opts = opts or {}
  M.affected_tests({
    bufnr = opts.bufnr,
    on_result = function(answer, root)
      local ids = answer.pytestArgs ~= vim.NIL and answer.pytestArgs or nil
      if not ids then
        ids = vim.tbl_map(function(t) return t.id end, answer.tests or {})
      end
      if #ids == 0 then
        notify('codemeld: no affected tests, nothing to run')
        return
      end
      require('codemeld.runner').run(ids, opts.args or {}, root)
    end,
  })
end

--- :CodemeldReindex
function M.reindex(opts)
  opts = opts or {}
  local bufnr, client = attached(opts)
  if not client then
    return
  end
  client:exec_cmd({ title = 'Reindex', command = 'codemeld.reindex', arguments = {} }, { bufnr = bufnr }, function(err)
    if err then
      notify('codemeld reindex failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    end
  end)
end

return M
