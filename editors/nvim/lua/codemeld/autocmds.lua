-- The LspAttach/LspProgress autocmds. Registered from plugin/codemeld.lua at
-- startup and again (idempotently) from setup(), for plugin managers that
-- add the plugin to 'runtimepath' after plugin/ scripts were sourced.
local M = {}

function M.register()
  local group = vim.api.nvim_create_augroup('codemeld', { clear = true })

  vim.api.nvim_create_autocmd('LspAttach', {
    group = group,
    callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data.client_id)
      if client and client.name == 'codemeld' then
        require('codemeld.commands').attach(client, args.buf)
      end
    end,
  })

  vim.api.nvim_create_autocmd('LspProgress', {
    group = group,
    pattern = { 'begin', 'report', 'end' },
    callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data.client_id)
      if client and client.name == 'codemeld' then
        require('codemeld.progress').on_progress(args.data.params)
      end
    end,
  })
end

return M
