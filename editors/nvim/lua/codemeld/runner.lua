-- Runs pytest on chosen node ids in a terminal split (:CodemeldRunAffectedTests).
-- The ids and extra args go to pytest as a list, never through a shell.
local config = require('codemeld.config')

local M = {}

--- The interpreter for the tests: the `test_python` option, else the
--- workspace's .venv or venv, else python3.
function M.python(root)
  if config.options.test_python then
    return config.options.test_python
  end
  for _, venv in ipairs({ '.venv', 'venv' }) do
    for _, exe in ipairs({ 'bin/python', 'Scripts/python.exe' }) do
      local path = vim.fs.joinpath(root, venv, exe)
      if vim.fn.executable(path) == 1 then
        return path
      end
    end
  end
  return 'python3'
end

--- `python -m pytest {args} {ids}` in `root` (so `-m` puts it on sys.path,
--- and the ids, relative to it, resolve). Returns the terminal's buffer and job.
function M.run(ids, args, root)
  local cmd = { M.python(root), '-m', 'pytest' }
  vim.list_extend(cmd, args or {})
  vim.list_extend(cmd, ids)
  vim.cmd('botright new')
  local bufnr = vim.api.nvim_get_current_buf()
  local job = vim.fn.jobstart(cmd, { term = true, cwd = root })
  -- The buffer's name shows only the interpreter; keep the whole command.
  vim.b[bufnr].codemeld_command = cmd
  vim.cmd('wincmd p') -- back to the code; the terminal keeps scrolling
  return bufnr, job
end

return M
