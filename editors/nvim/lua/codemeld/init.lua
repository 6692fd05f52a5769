-- require('codemeld').setup(opts): optional. `vim.lsp.enable('codemeld')`
-- alone already works with the defaults from lsp/codemeld.lua; setup() adds
-- plugin options and lets you override the LSP config in one place.
local config = require('codemeld.config')

local M = {}

--- Fields of `opts` that belong to vim.lsp.config('codemeld', ...).
local LSP_FIELDS = { 'cmd', 'filetypes', 'root_markers', 'root_dir', 'init_options', 'settings', 'capabilities', 'on_attach', 'cmd_env' }

---@param opts table|nil plugin options (see :help codemeld-options) plus LSP fields
function M.setup(opts)
  opts = opts or {}
  local lsp = {}
  local plugin = {}
  for key, value in pairs(opts) do
    if vim.tbl_contains(LSP_FIELDS, key) then
      lsp[key] = value
    else
      plugin[key] = value
    end
  end
  config.set(plugin)
  require('codemeld.autocmds').register() -- in case plugin/ was never sourced
  if next(lsp) ~= nil then
    vim.lsp.config('codemeld', lsp)
  end
  if config.options.enable then
    vim.lsp.enable('codemeld')
  end
end

-- The actions, for mappings: require('codemeld').impact() etc.
setmetatable(M, {
  __index = function(_, key)
    local actions = require('codemeld.actions')
    return actions[key]
  end,
})

return M
