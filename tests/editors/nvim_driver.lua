-- Drives a headless Neovim through what a user does with the codemeld
-- plugin, and writes what happened to $CODEMELD_TEST_OUT as JSON; the
-- pytest side (test_nvim.py) asserts on it. Each step records its own
-- result, so one failing step does not hide the others.
local out_path = assert(vim.env.CODEMELD_TEST_OUT, 'CODEMELD_TEST_OUT not set')
local workspace = assert(vim.env.CODEMELD_TEST_WORKSPACE, 'CODEMELD_TEST_WORKSPACE not set')
local results = { steps = {} }

-- Capture what the plugin tells the user instead of printing it.
local messages = {}
vim.notify = function(msg, level)
  table.insert(messages, { msg = tostring(msg), level = level })
end
results.messages = messages

local function rel(uri)
  local path = vim.uri_to_fname(uri)
  return vim.fs.relpath and vim.fs.relpath(workspace, path) or path:sub(#workspace + 2)
end

local function floats()
  local wins = {}
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= '' then
      table.insert(wins, win)
    end
  end
  return wins
end

local function close_floats()
  for _, win in ipairs(floats()) do
    pcall(vim.api.nvim_win_close, win, true)
  end
end

local function float_text()
  local texts = {}
  for _, win in ipairs(floats()) do
    local buf = vim.api.nvim_win_get_buf(win)
    table.insert(texts, table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n'))
  end
  return texts
end

--- Put the cursor on the first occurrence of `word` at or after line `from` (1-based).
local function cursor_on(word, from)
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  for lnum = from or 1, #lines do
    local col = lines[lnum]:find(word, 1, true)
    if col then
      vim.api.nvim_win_set_cursor(0, { lnum, col - 1 })
      return
    end
  end
  error('no ' .. word .. ' in buffer')
end

--- Messages the plugin sent since `since`, as text.
local function messages_since(since)
  local texts = {}
  for i = since + 1, #messages do
    table.insert(texts, messages[i].msg)
  end
  return texts
end

-- Every wait below names what it waits for. Any message is not an answer:
-- $/progress (indexing, embedding) arrives as messages too, at any time.

--- True when a :Codemeld<what> command gave up with a message of its own
--- ("codemeld search failed: ...", "codemeld impact: nothing at the cursor",
--- "codemeld search: no results ...", no server attached).
local function gave_up(since, what)
  for _, text in ipairs(messages_since(since)) do
    if text:find('codemeld ' .. what .. ' failed', 1, true) or text:find('codemeld ' .. what .. ':', 1, true)
        or text:find('no codemeld server attached', 1, true) then
      return true
    end
  end
  return false
end

local function in_file(suffix)
  return vim.endswith(vim.api.nvim_buf_get_name(0), suffix)
end

-- $CODEMELD_TEST_STEPS (comma-separated) runs only those steps.
local only = vim.env.CODEMELD_TEST_STEPS and vim.split(vim.env.CODEMELD_TEST_STEPS, ',') or nil

local function step(name, fn)
  if only and not vim.tbl_contains(only, name) then
    return
  end
  io.stderr:write('codemeld test: ' .. name .. '\n')
  local started = vim.uv.hrtime()
  local ok, value = xpcall(fn, debug.traceback)
  results.steps[name] = {
    ok = ok,
    error = not ok and tostring(value) or nil,
    value = ok and value or nil,
    ms = math.floor((vim.uv.hrtime() - started) / 1e6),
  }
end

local client

step('attach', function()
  vim.cmd.edit(vim.fs.joinpath(workspace, 'shop', 'checkout.py'))
  local attached = vim.wait(30000, function()
    client = vim.lsp.get_clients({ bufnr = 0, name = 'codemeld' })[1]
    return client ~= nil and client.initialized == true
  end, 50)
  assert(attached, 'no codemeld client attached')
  local commands = vim.tbl_keys(vim.api.nvim_buf_get_commands(0, {}))
  table.sort(commands)
  return { commands = commands, root_dir = client.root_dir, offset_encoding = client.offset_encoding }
end)

step('ready', function()
  assert(client, 'no client')
  local last
  for _ = 1, 600 do
    local response = client:request_sync('codemeld/status', vim.empty_dict(), 5000, 0)
    last = response and response.result
    if last and last.state == 'ready' then
      return last
    end
    vim.wait(50)
  end
  error('index never ready: ' .. vim.inspect(last))
end)

step('progress', function()
  -- What Neovim recorded from $/progress; the begin/end may already be consumed.
  return { status = vim.lsp.status() }
end)

step('hover', function()
  cursor_on('format_price(amount)')
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local response = assert(client:request_sync('textDocument/hover', params, 10000, 0))
  assert(not response.err, vim.inspect(response.err))
  local contents = response.result and response.result.contents
  local text = type(contents) == 'table' and (contents.value or vim.inspect(contents)) or tostring(contents)
  -- The user's path: K / vim.lsp.buf.hover() opens a float.
  close_floats()
  vim.lsp.buf.hover()
  local opened = vim.wait(10000, function()
    return table.concat(float_text(), '\n'):find('format_price', 1, true) ~= nil
  end, 20)
  local shown = float_text()
  close_floats()
  return { text = text, float_opened = opened, float_text = shown }
end)

step('references', function()
  cursor_on('format_price(amount)')
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  params.context = { includeDeclaration = true }
  local response = assert(client:request_sync('textDocument/references', params, 10000, 0))
  assert(not response.err, vim.inspect(response.err))
  local files = {}
  for _, location in ipairs(response.result or {}) do
    files[rel(location.uri)] = (files[rel(location.uri)] or 0) + 1
  end
  return { count = #(response.result or {}), files = files }
end)

step('definition', function()
  cursor_on('format_price(amount)')
  vim.lsp.buf.definition()
  vim.wait(10000, function()
    return in_file('/shop/utils.py') and vim.api.nvim_win_get_cursor(0)[1] ~= 1
  end, 20)
  local landed = { file = rel(vim.uri_from_fname(vim.api.nvim_buf_get_name(0))), line = vim.api.nvim_win_get_cursor(0)[1] }
  vim.cmd.edit(vim.fs.joinpath(workspace, 'shop', 'checkout.py'))
  return landed
end)

step('status_command', function()
  local since = #messages
  vim.cmd('CodemeldStatus')
  vim.wait(10000, function()
    for _, text in ipairs(messages_since(since)) do
      if text:match('^codemeld: %a+, %d+ files') then
        return true
      end
    end
    return false
  end, 20)
  return { messages = messages_since(since) }
end)

step('impact', function()
  cursor_on('format_price(amount)')
  close_floats()
  vim.fn.setqflist({}, 'r', { title = '', items = {} })
  local since = #messages
  vim.cmd('CodemeldImpact')
  vim.wait(20000, function()
    local list = vim.fn.getqflist({ title = 1, size = 1 })
    local listed = vim.startswith(list.title, 'codemeld impact:') and list.size > 0
    local summary = table.concat(float_text(), '\n'):find('Impact of', 1, true) ~= nil
    return (listed and summary) or gave_up(since, 'impact')
  end, 20)
  local qf = vim.fn.getqflist({ title = 1, items = 1 })
  local items = {}
  for _, item in ipairs(qf.items) do
    table.insert(items, {
      file = rel(vim.uri_from_fname(vim.api.nvim_buf_get_name(item.bufnr))),
      lnum = item.lnum,
      col = item.col,
      text = item.text,
      type = item.type,
    })
  end
  local summary = float_text()
  close_floats()
  vim.cmd('cclose')
  return { title = qf.title, items = items, floats = summary, messages = messages_since(since) }
end)

step('explain', function()
  vim.cmd.edit(vim.fs.joinpath(workspace, 'shop', 'checkout.py'))
  cursor_on('def checkout')
  vim.cmd('normal! w') -- onto the name
  close_floats()
  local since = #messages
  vim.cmd('CodemeldExplain')
  vim.wait(30000, function()
    for _, win in ipairs(floats()) do
      if vim.bo[vim.api.nvim_win_get_buf(win)].filetype == 'markdown' then
        return true
      end
    end
    return gave_up(since, 'explain')
  end, 20)
  local shown = float_text()
  local filetype
  for _, win in ipairs(floats()) do
    filetype = vim.bo[vim.api.nvim_win_get_buf(win)].filetype
  end
  close_floats()
  return { floats = shown, filetype = filetype, messages = messages_since(since) }
end)

step('search', function()
  local offered
  vim.ui.select = function(items, opts, on_choice)
    offered = {}
    for _, item in ipairs(items) do
      table.insert(offered, opts.format_item(item))
    end
    on_choice(items[1], 1)
  end
  local since = #messages
  vim.cmd('CodemeldSearch format a price with currency')
  -- Not "any message": the embedding progress of the first run is one.
  vim.wait(20000, function()
    return offered ~= nil or gave_up(since, 'search')
  end, 20)
  vim.wait(5000, function()
    return in_file('/shop/utils.py')
  end, 20)
  return {
    offered = offered,
    landed = rel(vim.uri_from_fname(vim.api.nvim_buf_get_name(0))),
    messages = messages_since(since),
  }
end)

step('typescript', function()
  -- A TypeScript file of the same workspace: the client attaches to its
  -- buffer (filetype typescript) and the one index answers for it.
  vim.cmd.edit(vim.fs.joinpath(workspace, 'web', 'cart_view.ts'))
  local attached = vim.wait(10000, function()
    return vim.lsp.get_clients({ bufnr = 0, name = 'codemeld' })[1] ~= nil
  end, 50)
  cursor_on('describeLine(line)')
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local hover = assert(client:request_sync('textDocument/hover', params, 10000, 0))
  assert(not hover.err, vim.inspect(hover.err))
  local contents = hover.result and hover.result.contents
  params.context = { includeDeclaration = false }
  local refs = assert(client:request_sync('textDocument/references', params, 10000, 0))
  local lines = {}
  for _, location in ipairs(refs.result or {}) do
    table.insert(lines, rel(location.uri) .. ':' .. location.range.start.line)
  end
  return {
    filetype = vim.bo.filetype,
    attached = attached,
    hover = type(contents) == 'table' and contents.value or tostring(contents),
    references = lines,
  }
end)

--- The quickfix list as {file, lnum, text}.
local function quickfix()
  local qf = vim.fn.getqflist({ title = 1, items = 1 })
  local items = {}
  for _, item in ipairs(qf.items) do
    table.insert(items, { file = rel(vim.uri_from_fname(vim.api.nvim_buf_get_name(item.bufnr))), lnum = item.lnum, text = item.text })
  end
  return qf.title, items
end

--- Run a :Codemeld*AffectedTests command and wait for its one-line summary
--- (or its error): the plugin notifies once per answer.
local function affected(command)
  vim.fn.setqflist({}, 'r', { title = '', items = {} })
  local since = #messages
  vim.cmd(command)
  vim.wait(20000, function()
    for _, text in ipairs(messages_since(since)) do
      if text:find('affected test', 1, true) then
        return true
      end
    end
    return gave_up(since, 'affected tests')
  end, 20)
  return since
end

local function edit_format_price()
  if not in_file('/shop/utils.py') then
    vim.cmd.edit(vim.fs.joinpath(workspace, 'shop', 'utils.py'))
  end
  cursor_on('return f"')
  local lnum = vim.api.nvim_win_get_cursor(0)[1]
  -- Unsaved: the server sees the change only through didChange.
  vim.api.nvim_buf_set_lines(0, lnum - 1, lnum, false, { '    return f"{value:.2f} {CURRENCY}"  # edited' })
  assert(vim.bo.modified)
end

step('affected_tests', function()
  edit_format_price()
  local since = affected('CodemeldAffectedTests')
  local title, items = quickfix()
  vim.cmd('cclose')
  return { title = title, items = items, messages = messages_since(since), modified = vim.bo.modified }
end)

step('run_affected_tests', function()
  edit_format_price() -- idempotent: the same unsaved change
  -- The default interpreter: the workspace's .venv (here, one that runs the test venv's Python).
  local venv_python = vim.fs.joinpath(workspace, '.venv', 'bin', 'python')
  vim.fn.mkdir(vim.fs.dirname(venv_python), 'p')
  vim.fn.writefile({ '#!/bin/sh', 'exec ' .. vim.fn.shellescape(vim.env.CODEMELD_TEST_PYTHON) .. ' "$@"' }, venv_python)
  vim.fn.setfperm(venv_python, 'rwxr-xr-x')
  local junit = vim.fs.joinpath(vim.fn.fnamemodify(out_path, ':h'), 'junit.xml')
  local before = vim.api.nvim_list_bufs()
  local since = affected('CodemeldRunAffectedTests -x -p no:cacheprovider --junitxml=' .. junit)
  local term
  vim.wait(10000, function()
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if not vim.tbl_contains(before, buf) and vim.bo[buf].buftype == 'terminal' then
        term = buf
        return true
      end
    end
    return false
  end, 20)
  assert(term, 'no terminal opened; messages: ' .. vim.inspect(messages_since(since)))
  local job = vim.b[term].terminal_job_id
  local code = vim.fn.jobwait({ job }, 60000)[1]
  vim.wait(500) -- the terminal's last lines
  local lines = vim.api.nvim_buf_get_lines(term, 0, -1, false)
  local file = io.open(junit)
  local xml = file and file:read('*a')
  if file then
    file:close()
  end
  return {
    exit = code,
    command = vim.b[term].codemeld_command,
    text = table.concat(lines, '\n'),
    junit = xml,
    code_window = vim.bo.buftype == '', -- focus went back to the code
    messages = messages_since(since),
  }
end)

step('affected_none', function()
  -- Back to the disk's text: nothing changed, so nothing is selected or run.
  vim.cmd.edit({ bang = true })
  local before = #vim.api.nvim_list_bufs()
  local since = affected('CodemeldAffectedTests')
  local _, items = quickfix()
  local listed = messages_since(since)
  since = affected('CodemeldRunAffectedTests -x')
  vim.wait(300)
  return { items = items, messages = listed, run_messages = messages_since(since), buffers = #vim.api.nvim_list_bufs() - before }
end)

step('affected_error', function()
  -- A failing request: one ERROR notification, no Lua error.
  local request = client.request
  client.request = function(_, _, _, handler)
    handler({ code = -32603, message = 'boom' }, nil, {})
    return true, 1
  end
  local since = #messages
  local ok, err = pcall(vim.cmd, 'CodemeldRunAffectedTests')
  client.request = request
  local levels = {}
  for i = since + 1, #messages do
    table.insert(levels, { msg = messages[i].msg, level = messages[i].level })
  end
  return { ok = ok, err = err and tostring(err) or nil, messages = levels, error_level = vim.log.levels.ERROR }
end)

step('affected_format', function()
  -- Answers the shop cannot produce without a recorded run: a learned test
  -- whose symbol the index lost, and one found both ways.
  local format = require('codemeld.format')
  local answer = {
    summary = { changedSymbols = 1, tests = 2, learned = 2 },
    tests = {
      { id = 'tests/test_old.py::test_gone', symbol = vim.NIL, source = 'learned', stale = true },
      { id = 'tests/test_cart.py::test_total', source = 'both', symbol = {
        path = 'tests/test_cart.py', uri = vim.uri_from_fname(vim.fs.joinpath(workspace, 'tests', 'test_cart.py')),
        range = { start = { line = 5, character = 0 }, ['end'] = { line = 7, character = 0 } } } },
    },
  }
  local items = {}
  for _, item in ipairs(format.affected_items(answer, format.affected_root(answer, '/elsewhere'), 'utf-16')) do
    table.insert(items, { file = item.filename or vim.api.nvim_buf_get_name(item.bufnr), lnum = item.lnum, text = item.text })
  end
  return { root = format.affected_root(answer, '/elsewhere'), items = items, summary = format.affected_summary(answer) }
end)

step('test_python', function()
  local config = require('codemeld.config')
  local runner = require('codemeld.runner')
  local bare = vim.fn.tempname()
  vim.fn.mkdir(bare, 'p')
  local chosen = { bare = runner.python(bare), venv = runner.python(workspace) }
  config.options.test_python = '/opt/py/bin/python'
  chosen.option = runner.python(workspace)
  config.options.test_python = nil
  return chosen
end)

local file = assert(io.open(out_path, 'w'))
file:write(vim.json.encode(results))
file:close()
vim.cmd('qall!')
