-- The plugin's own options (not the server's: those are init_options).
local M = {}

M.defaults = {
  -- Call vim.lsp.enable('codemeld') from setup().
  enable = true,
  -- Echo $/progress of indexing in the command line. Neovim keeps the same
  -- messages in vim.lsp.status() for statusline plugins either way.
  progress = true,
  -- Open the quickfix window after :CodemeldImpact and :CodemeldAffectedTests.
  open_quickfix = true,
  -- Border of the floating windows (see :help nvim_open_win()).
  border = 'rounded',
  -- Default depth/limit for :CodemeldImpact; nil lets the server decide.
  impact = { depth = nil, limit = nil },
  search = { limit = 20 },
  -- Interpreter for :CodemeldRunAffectedTests; nil: the workspace's
  -- .venv/bin/python or venv/bin/python, else python3.
  test_python = nil,
  -- Timeout for :CodemeldStatus and other quick requests (ms).
  timeout_ms = 5000,
}

M.options = vim.deepcopy(M.defaults)

function M.set(opts)
  M.options = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {})
  return M.options
end

return M
