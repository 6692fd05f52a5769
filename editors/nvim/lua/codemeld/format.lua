-- Server answers -> what Neovim shows (quickfix items, float lines,
-- messages). No requests and no UI here, so it is easy to test and reuse.
local M = {}

--- The URI of a symbol/breaking entry: its own `uri`, else `path` relative
--- to the client's root (the server sends `uri` when it knows the folder).
function M.uri_of(item, root_dir)
  if item.uri and item.uri ~= vim.NIL then
    return item.uri
  end
  local path = item.path
  if root_dir and not vim.startswith(path, '/') then
    path = vim.fs.joinpath(root_dir, path)
  end
  return vim.uri_from_fname(path)
end

local function pct(confidence)
  return string.format('%d%%', math.floor((confidence or 0) * 100 + 0.5))
end

local function plural(n, word)
  return string.format('%d %s%s', n, word, n == 1 and '' or 's')
end

--- Quickfix items for an ImpactReport: dependents (by file, in line order),
--- then affected tests, then breaking changes. Columns are converted from
--- the server's encoding to bytes by vim.lsp.util.locations_to_items.
function M.impact_items(report, root_dir, encoding)
  local groups = {}
  local deps = {}
  for _, d in ipairs(report.dependents or {}) do
    table.insert(deps, {
      uri = M.uri_of(d.symbol, root_dir),
      range = d.symbol.range,
      codemeld_text = string.format('dependent %s, depth %d, %s: %s', d.kind, d.depth, pct(d.confidence), d.symbol.qualname),
    })
  end
  table.insert(groups, { deps, '' })
  local tests = {}
  for _, t in ipairs(report.tests or {}) do
    table.insert(tests, {
      uri = M.uri_of(t.symbol, root_dir),
      range = t.symbol.range,
      codemeld_text = string.format('test depth %d, %s: %s', t.depth, pct(t.confidence), t.id),
    })
  end
  table.insert(groups, { tests, 'I' })
  local breaking = {}
  for _, b in ipairs(report.breaking or {}) do
    table.insert(breaking, { uri = M.uri_of(b, root_dir), range = b.range, codemeld_text = 'breaks: ' .. b.message })
  end
  table.insert(groups, { breaking, 'E' })

  local items = {}
  for _, group in ipairs(groups) do
    local locations, kind = group[1], group[2]
    if #locations > 0 then
      for _, item in ipairs(vim.lsp.util.locations_to_items(locations, encoding)) do
        item.text = item.user_data.codemeld_text
        item.type = kind
        item.user_data = nil
        table.insert(items, item)
      end
    end
  end
  return items
end

function M.impact_title(report)
  return 'codemeld impact: ' .. (report.target.qualname or report.target.name)
end

--- Markdown lines for the floating summary.
function M.impact_summary(report)
  local s = report.summary or {}
  local lines = {
    string.format('# Impact of `%s`', report.target.qualname or report.target.name),
    '',
    string.format('%s in %s, %s, max depth %d%s', plural(s.dependents or #report.dependents, 'dependent'),
      plural(s.files or #report.files, 'file'), plural(s.tests or #report.tests, 'test'), s.maxDepth or 0,
      s.truncated and ' (truncated)' or ''),
  }
  if #(report.files or {}) > 0 then
    table.insert(lines, '')
    table.insert(lines, '**Files**')
    local files = vim.deepcopy(report.files)
    table.sort(files)
    for _, f in ipairs(files) do
      table.insert(lines, '- ' .. f)
    end
  end
  if #(report.tests or {}) > 0 then
    table.insert(lines, '')
    table.insert(lines, '**Tests**')
    for _, t in ipairs(report.tests) do
      table.insert(lines, '- `' .. t.id .. '`')
    end
  end
  if #(report.breaking or {}) > 0 then
    table.insert(lines, '')
    table.insert(lines, '**Breaking changes**')
    for _, b in ipairs(report.breaking) do
      table.insert(lines, string.format('- %s:%d %s', b.path, b.range.start.line + 1, b.message))
    end
  end
  return lines
end

--- The folder the answer's node ids are relative to (pytest's cwd): a test's
--- absolute file minus its relative path, else the client's root.
function M.affected_root(answer, root_dir)
  for _, t in ipairs(answer.tests or {}) do
    local s = t.symbol
    if type(s) == 'table' and type(s.uri) == 'string' and not vim.startswith(s.path, '/') then
      local file = vim.uri_to_fname(s.uri)
      if vim.endswith(file, '/' .. s.path) then
        return file:sub(1, #file - #s.path - 1)
      end
    end
  end
  return root_dir
end

--- Quickfix items for an AffectedTests answer: each test at its definition
--- (or, for a learned test the index no longer holds, its file), with its
--- node id and where it came from (static, learned or both).
function M.affected_items(answer, root_dir, encoding)
  local items = {}
  for _, t in ipairs(answer.tests or {}) do
    local text = string.format('%s (%s%s)', t.id, t.source ~= vim.NIL and t.source or 'static',
      t.stale == true and ', stale' or '')
    if type(t.symbol) == 'table' then
      local location = { uri = M.uri_of(t.symbol, root_dir), range = t.symbol.selectionRange or t.symbol.range }
      if location.range == vim.NIL then
        location.range = t.symbol.range
      end
      local item = vim.lsp.util.locations_to_items({ location }, encoding)[1]
      item.text, item.user_data = text, nil
      table.insert(items, item)
    else
      table.insert(items, { filename = vim.fs.joinpath(root_dir or '.', (t.id:gsub('::.*', ''))), lnum = 1, text = text })
    end
  end
  return items
end

--- "N affected tests (k learned)", or "no affected tests".
function M.affected_summary(answer)
  local s = answer.summary or {}
  local n = s.tests or #(answer.tests or {})
  if n == 0 then
    return 'codemeld: no affected tests'
  end
  return string.format('codemeld: %s (%d learned)', plural(n, 'affected test'), s.learned or 0)
end

--- Markdown lines of an explanation. The server's markdown already says
--- where it came from (structural or which model); a `note` says why a
--- configured model was not used, which the user should see.
function M.explain_lines(result)
  local lines = vim.split(result.markdown or '', '\n', { plain = true })
  if type(result.note) == 'string' and result.note ~= '' then
    vim.list_extend(lines, { '', '> ' .. result.note })
  end
  return lines
end

--- One line per search result for vim.ui.select.
function M.search_item(result)
  local s = result.symbol
  return string.format('%s  %s  %s:%d', s.name, s.qualname, s.path, s.range.start.line + 1)
end

function M.status_text(status)
  local text = string.format('codemeld: %s, %d files, %d symbols, %d references', status.state, status.files or 0,
    status.symbols or 0, status.references or 0)
  if (status.pending or 0) > 0 then
    text = text .. string.format(', %d pending', status.pending)
  end
  if status.indexDir and status.indexDir ~= vim.NIL then
    text = text .. '\nindex: ' .. status.indexDir
  end
  return text
end

--- Echo text for one $/progress value.
function M.progress_text(value)
  local parts = { 'codemeld:' }
  if value.title then
    parts = { value.title .. ':' }
  end
  if value.percentage then
    table.insert(parts, string.format('%d%%', value.percentage))
  end
  if value.message then
    table.insert(parts, value.message)
  end
  return table.concat(parts, ' ')
end

return M
