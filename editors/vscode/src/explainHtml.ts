// Explanation markdown -> the HTML of the Explain webview. Links to code
// (`file:///abs/path.py#L12`, as the server writes them) become clickable
// entries that the extension opens in an editor: VS Code's own markdown
// preview refuses `file:` links, and a virtual document has no folder that
// relative links could resolve against. Raw HTML in the markdown is escaped
// (markdown-it with html: false), and the page runs only its own script.
import MarkdownIt from "markdown-it";

export interface CodeLink {
  uri: string; // file URI without the fragment
  line: number; // 1-based, from `#L12`; 0 when absent
}

/** A link the Explain view opens in an editor; undefined for anything else. */
export function codeLink(href: string): CodeLink | undefined {
  const m = /^(file:\/\/[^#]*)(?:#L(\d+))?$/.exec(href);
  if (!m) return undefined;
  return { uri: m[1], line: m[2] ? Number(m[2]) : 0 };
}

function escapeAttr(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
// markdown-it refuses file: links by default (with javascript: and data:); ours are the point.
md.validateLink = (url: string) => !/^\s*(javascript|vbscript|data):/i.test(url);
const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  const href = token.attrGet("href") ?? "";
  const link = codeLink(href);
  if (link) {
    token.attrSet("href", "#");
    token.attrSet("data-open", link.uri);
    token.attrSet("data-line", String(link.line));
    token.attrSet("title", `${decodeURIComponent(link.uri.replace(/^file:\/\//, ""))}${link.line ? `:${link.line}` : ""}`);
  } else if (/^https?:/.test(href)) {
    token.attrSet("data-external", href);
  }
  return defaultLinkOpen(tokens, idx, options, env, self);
};

export function renderMarkdown(markdown: string): string {
  return md.render(markdown);
}

/** The whole page. `cspSource` is the webview's; `nonce` allows our one script. */
export function explainPage(title: string, markdown: string, cspSource: string, nonce: string): string {
  const csp = `default-src 'none'; style-src ${cspSource} 'unsafe-inline'; script-src 'nonce-${nonce}';`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeAttr(title)}</title>
<style>
  body { font-family: var(--vscode-markdown-font-family, var(--vscode-font-family)); font-size: var(--vscode-markdown-font-size, 14px);
         line-height: 1.5; color: var(--vscode-foreground); padding: 0 20px 20px; }
  a { color: var(--vscode-textLink-foreground); cursor: pointer; text-decoration: none; }
  a:hover { text-decoration: underline; color: var(--vscode-textLink-activeForeground); }
  code { font-family: var(--vscode-editor-font-family); font-size: 0.95em; }
  pre { background: var(--vscode-textCodeBlock-background); padding: 8px 12px; overflow-x: auto; }
  blockquote { border-left: 3px solid var(--vscode-textBlockQuote-border); margin: 0; padding: 0 12px;
               background: var(--vscode-textBlockQuote-background); }
</style>
</head>
<body>
${renderMarkdown(markdown)}
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  document.addEventListener("click", (event) => {
    const a = event.target instanceof Element ? event.target.closest("a") : null;
    if (!a) return;
    if (a.dataset.open) {
      event.preventDefault();
      vscode.postMessage({ open: a.dataset.open, line: Number(a.dataset.line || 0) });
    } else if (a.dataset.external) {
      event.preventDefault();
      vscode.postMessage({ external: a.dataset.external });
    }
  });
</script>
</body>
</html>`;
}
