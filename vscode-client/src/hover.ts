import * as vscode from 'vscode';

const SOURCE = 'trigger-lsp';

/**
 * The server's hover on a finding starts with "**rule**: message" (what Neovim and Emacs show).
 * VS Code already shows the message of every diagnostic under the mouse at the top of the hover,
 * so the message is dropped from our part there and the rule name kept: the why, the fix and the
 * Explain link move up by the message's lines (issue 16: a finding's hover, repeated).
 * A hover that does not start so, or a finding VS Code does not hold, is left as it is.
 */
export function withoutShownMessages(
  hover: vscode.Hover | null | undefined,
  document: vscode.TextDocument,
  position: vscode.Position,
): vscode.Hover | null | undefined {
  if (!hover) {
    return hover;
  }
  const shown = vscode.languages
    .getDiagnostics(document.uri)
    .filter((d) => d.source === SOURCE && d.range.contains(position));
  if (shown.length === 0) {
    return hover;
  }
  const heads = shown.map((d) => {
    const code = typeof d.code === 'object' && d.code !== null ? d.code.value : d.code;
    return { full: `**${String(code)}**: ${d.message}`, short: `**${String(code)}**` };
  });
  hover.contents = hover.contents.map((content) => {
    if (!(content instanceof vscode.MarkdownString)) {
      return content;
    }
    let value = content.value;
    for (const head of heads) {
      value = value.split(head.full).join(head.short);
    }
    if (value === content.value) {
      return content;
    }
    const trimmed = new vscode.MarkdownString(value, content.supportThemeIcons);
    trimmed.isTrusted = content.isTrusted;
    trimmed.supportHtml = content.supportHtml;
    trimmed.baseUri = content.baseUri;
    return trimmed;
  });
  return hover;
}
