/**
 * The HTML the provider shows a browser: the sign-in page and the error page.
 *
 * The markup is deliberately plain and stable because `browser.ts` reads it with regular
 * expressions: the sign-in form is `<form id="sign-in" ...>`, the error text is in
 * `<p id="error-description">`.
 */

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${escapeHtml(title)}</title>
  <style>body{font-family:Segoe UI,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}
  label,fieldset{display:block;margin:1rem 0}input[type=email]{width:100%;padding:.4rem}
  .test-only{color:#666;font-size:.85rem}</style>
</head>
<body>
${body}
</body>
</html>`;
}

export interface SignInPageModel {
  action: string;
  loginHint: string;
  clientId: string;
  scopes: readonly string[];
  usernames: readonly string[];
}

/**
 * Sign-in and consent in one page.
 *
 * Entra splits them over several pages and skips consent once granted; for tests one form post
 * is enough. The "outcome" select is a test affordance with no Entra counterpart: it makes the
 * tenant treat the app as not assigned to the user (AADSTS50105).
 */
export function signInPage(model: SignInPageModel): string {
  const scopeItems = model.scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join('');
  const userOptions = model.usernames.map((name) => `<option value="${escapeHtml(name)}">`).join('');
  return page('Sign in to your account', `<h1>Sign in</h1>
<form id="sign-in" method="post" action="${escapeHtml(model.action)}">
  <label>Email, phone, or Skype
    <input type="email" name="username" list="known-users" value="${escapeHtml(model.loginHint)}" autofocus required>
  </label>
  <datalist id="known-users">${userOptions}</datalist>
  <fieldset>
    <legend>Permissions requested by ${escapeHtml(model.clientId)}</legend>
    <ul>${scopeItems}</ul>
    <label><input type="radio" name="consent" value="accept" checked> Accept</label>
    <label><input type="radio" name="consent" value="decline"> Cancel (decline consent)</label>
  </fieldset>
  <label class="test-only">Test outcome
    <select name="outcome">
      <option value="signin" selected>sign in normally</option>
      <option value="blocked">app not assigned to this user (AADSTS50105)</option>
    </select>
  </label>
  <button type="submit">Sign in</button>
</form>`);
}

/** Entra's "Sorry, but we're having trouble signing you in" page. */
export function errorPage(description: string): string {
  return page('Sign in error', `<h1>Sorry, but we're having trouble signing you in.</h1>
<p id="error-description">${escapeHtml(description)}</p>`);
}
