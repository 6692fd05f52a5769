-- Default configuration for `vim.lsp.enable('codemeld')` (Neovim 0.11+).
-- Override any field with `vim.lsp.config('codemeld', {...})` or
-- `require('codemeld').setup({...})`.
---@type vim.lsp.Config
return {
  cmd = { 'codemeld', 'serve' },
  -- Python, TypeScript/JavaScript (with their React filetypes) and Go.
  filetypes = { 'python', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'go' },
  -- The same markers the codemeld CLI uses to find a workspace root.
  root_markers = { 'pyproject.toml', 'setup.py', 'setup.cfg', 'package.json', 'tsconfig.json', 'go.mod', '.git', '.hg' },
  -- Names follow the server's initialization options (server/options.py):
  -- indexDir, exclude, maxFileSize, jobs, debounceMs, watch, minConfidence,
  -- features = { hover = false, ... }, llm = { baseUrl, model, apiKey }.
  init_options = {},
  before_init = function(params)
    -- An empty Lua table is encoded as a JSON array ([]), which the server
    -- rejects (it wants an object); send {} instead.
    local opts = params.initializationOptions
    if opts == nil or (type(opts) == 'table' and vim.tbl_isempty(opts)) then
      params.initializationOptions = vim.empty_dict()
    end
  end,
}
