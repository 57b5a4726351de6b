/**
 * Entra's scope grammar: `<resource>/<permission>` plus the OpenID Connect scopes.
 *
 * Entra issues one access token per resource (`aud`), named by the scope prefix, so a request for
 * `https://outlook.office.com/IMAP.AccessAsUser.All offline_access` is a request for an Outlook
 * token. Any https host works as a resource, which is how sovereign clouds (outlook.office365.us,
 * partner.outlook.cn, ...) are covered without a list.
 */

/** Scopes that say something about the sign-in itself, not about a resource. */
export const OIDC_SCOPES: ReadonlySet<string> = new Set(['openid', 'profile', 'email', 'offline_access']);

/** Entra treats a bare permission (`User.Read`) as a Microsoft Graph permission. */
export const DEFAULT_RESOURCE = 'https://graph.microsoft.com';

/** The resource a scope belongs to, or undefined for an OpenID Connect scope. */
export function resourceOfScope(scope: string): string | undefined {
  if (OIDC_SCOPES.has(scope)) return undefined;
  const url = URL.parse(scope);
  if (!url || !url.host) return DEFAULT_RESOURCE;
  const slash = scope.lastIndexOf('/');
  return slash > url.origin.length ? scope.slice(0, slash) : url.origin;
}

/** Splits a space-separated scope parameter into its values. */
export function splitScopes(scopeParam: string | undefined): string[] {
  return (scopeParam ?? '').split(' ').filter((scope) => scope !== '');
}

/** The distinct resources named by a scope parameter (Entra accepts exactly one per request). */
export function resourcesOf(scopeParam: string | undefined): string[] {
  const resources = new Set<string>();
  for (const scope of splitScopes(scopeParam)) {
    const resource = resourceOfScope(scope);
    if (resource) resources.add(resource);
  }
  return [...resources];
}

/** The scopes of a scope parameter that belong to `resource`. */
export function scopesOfResource(scopeParam: string | undefined, resource: string): string[] {
  return splitScopes(scopeParam).filter((scope) => resourceOfScope(scope) === resource);
}

/** `https://outlook.office.com/SMTP.Send` → `SMTP.Send`: the form Entra puts in the `scp` claim. */
export function shortScopeName(scope: string): string {
  const resource = resourceOfScope(scope);
  return resource && scope.startsWith(`${resource}/`) ? scope.slice(resource.length + 1) : scope;
}
