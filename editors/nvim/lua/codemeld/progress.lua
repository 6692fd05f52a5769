-- Indexing progress: Neovim already stores the server's $/progress
-- messages (vim.lsp.status(), for statuslines); this echoes them so a plain
-- setup shows something while a big workspace indexes.
local config = require('codemeld.config')
local format = require('codemeld.format')

local M = {}

function M.on_progress(params)
  if not config.options.progress or type(params) ~= 'table' or type(params.value) ~= 'table' then
    return
  end
  local text = format.progress_text(params.value)
  vim.api.nvim_echo({ { text } }, false, {})
end

return M
