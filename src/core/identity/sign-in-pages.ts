/**
 * The pages the browser shows when the sign-in returns to tokentray's loopback listener.
 *
 * Self-contained HTML (no external resources: the page is served from http://localhost and
 * must not fetch anything), readable in light and dark mode.
 */
const STYLE = `
  :root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --bg: #f6f8fa; --card: #fff; --ok: #1a7f37; --bad: #cf222e; }
  @media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #8d96a0; --bg: #0d1117; --card: #161b22; --ok: #3fb950; --bad: #f85149; } }
  html, body { margin: 0; height: 100%; background: var(--bg); color: var(--fg);
    font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, sans-serif; }
  main { max-width: 28rem; margin: 12vh auto 0; padding: 2rem; background: var(--card); border-radius: 12px;
    box-shadow: 0 1px 3px rgba(0,0,0,.12), 0 8px 24px rgba(0,0,0,.08); text-align: center; }
  .mark { font-size: 2.5rem; line-height: 1; }
  .ok .mark { color: var(--ok); } .bad .mark { color: var(--bad); }
  h1 { font-size: 1.25rem; margin: .75rem 0 .5rem; }
  p { margin: .5rem 0; color: var(--muted); }
  .brand { margin-top: 1.5rem; font-size: .8rem; color: var(--muted); letter-spacing: .02em; }
`;

function page(kind: 'ok' | 'bad', title: string, lines: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${title} · tokentray</title><style>${STYLE}</style></head>
<body><main class="${kind}" role="main"><div class="mark" aria-hidden="true">${kind === 'ok' ? '&#10003;' : '&#10007;'}</div>
<h1>${title}</h1>${lines.map((line) => `<p>${line}</p>`).join('')}<div class="brand">tokentray</div></main></body></html>`;
}

export const SIGN_IN_SUCCESS_PAGE = page('ok', 'You are signed in', [
  'tokentray now keeps this account’s access fresh for EmailEngine.',
  'You can close this tab and return to tokentray.',
]);

export const SIGN_IN_ERROR_PAGE = page('bad', 'Sign-in did not complete', [
  'Nothing was saved. Return to tokentray to see what happened and try again.',
  'You can close this tab.',
]);
