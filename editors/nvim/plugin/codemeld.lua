-- Loaded at startup from the runtimepath. Only registers autocmds; the
-- commands module is required when a codemeld client attaches, so a session
-- that never opens Python pays nothing.
if vim.g.loaded_codemeld then
  return
end
vim.g.loaded_codemeld = true
require('codemeld.autocmds').register()
