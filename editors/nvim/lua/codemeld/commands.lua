-- Buffer-local user commands, created when a codemeld client attaches.
local actions = require('codemeld.actions')

local M = {}

function M.attach(client, bufnr)
  if vim.b[bufnr].codemeld_attached then
    return
  end
  vim.b[bufnr].codemeld_attached = client.id
  local function command(name, fn, opts)
    vim.api.nvim_buf_create_user_command(bufnr, name, fn, opts)
  end
  command('CodemeldImpact', function(args)
    actions.impact({ bufnr = bufnr, depth = tonumber(args.args) })
  end, { nargs = '?', desc = 'codemeld: dependents and tests of the symbol at the cursor (quickfix + summary)' })
  command('CodemeldExplain', function()
    actions.explain({ bufnr = bufnr })
  end, { desc = 'codemeld: explain the symbol at the cursor in a floating window' })
  command('CodemeldSearch', function(args)
    actions.search({ bufnr = bufnr, query = args.args })
  end, { nargs = '+', desc = 'codemeld: semantic search, then jump' })
  command('CodemeldStatus', function()
    actions.status({ bufnr = bufnr })
  end, { desc = 'codemeld: index status' })
  command('CodemeldAffectedTests', function()
    actions.affected_tests({ bufnr = bufnr })
  end, { desc = 'codemeld: the tests affected by the current change (quickfix + summary)' })
  command('CodemeldRunAffectedTests', function(args)
    actions.run_affected_tests({ bufnr = bufnr, args = args.fargs })
  end, { nargs = '*', desc = 'codemeld: run the affected tests with pytest in a terminal; args go to pytest' })
  command('CodemeldReindex', function()
    actions.reindex({ bufnr = bufnr })
  end, { desc = 'codemeld: re-check every file against the disk' })
end

return M
