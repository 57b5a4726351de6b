import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../src/core/logging/logger.js';
import { ExternalLinks, HELP_LINKS, isAllowedExternalUrl, isAllowedSignInUrl } from '../../src/main/external-urls.js';
import { DEFAULT_SETTINGS } from '../../src/core/storage/settings.js';
import type { Settings } from '../../src/shared/settings-shape.js';

const GLOBAL: Settings = { ...DEFAULT_SETTINGS };
const AUTHORIZE = 'https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?client_id=x&state=y';

describe('isAllowedExternalUrl', () => {
  it('allows the sign-in page of the configured cloud', () => {
    assert.equal(isAllowedExternalUrl(AUTHORIZE, GLOBAL), true);
    assert.equal(isAllowedExternalUrl('https://login.microsoftonline.us/contoso.com/oauth2/v2.0/authorize', { ...GLOBAL, cloud: 'gcc-high', tenant: 'contoso.com' }), true);
    assert.equal(isAllowedExternalUrl('https://login.chinacloudapi.cn/common/oauth2/v2.0/authorize', { ...GLOBAL, cloud: 'china' }), true);
  });

  it("allows an authority override's origin, and still the cloud's login host", () => {
    const settings = { ...GLOBAL, authority: 'https://127.0.0.1:8443/tenant' };
    assert.equal(isAllowedSignInUrl('https://127.0.0.1:8443/tenant/oauth2/v2.0/authorize?x=1', settings), true);
    assert.equal(isAllowedSignInUrl(AUTHORIZE, settings), true);
    assert.equal(isAllowedSignInUrl('https://127.0.0.1:9999/tenant/authorize', settings), false, 'other port');
  });

  it('refuses other clouds, look-alike hosts, plain http, credentials and other schemes', () => {
    for (const url of [
      'https://login.microsoftonline.us/x/oauth2/v2.0/authorize', // not the configured cloud
      'https://login.microsoftonline.com.evil.example/authorize',
      'https://evil.example/?https://login.microsoftonline.com/',
      'http://login.microsoftonline.com/organizations/oauth2/v2.0/authorize',
      'https://user:pass@login.microsoftonline.com/organizations/oauth2/v2.0/authorize',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'ms-settings:privacy',
      'smb://server/share',
      'not a url',
      '',
    ]) {
      assert.equal(isAllowedExternalUrl(url, GLOBAL), false, url);
    }
  });

  it("allows the core's one-time sign-in link on loopback, and nothing else over plain http", () => {
    assert.equal(isAllowedSignInUrl('http://localhost:41234/start/Qm9vLWJhci1iYXotcXV4LTAxMjM0NTY3', GLOBAL), true);
    for (const url of [
      'http://localhost:41234/start/short',
      'http://localhost/start/Qm9vLWJhci1iYXotcXV4LTAxMjM0NTY3',
      'http://localhost:41234/start/Qm9vLWJhci1iYXotcXV4LTAxMjM0NTY3?x=1',
      'http://localhost:41234/start/Qm9vLWJhci1iYXotcXV4LTAxMjM0NTY3#x',
      'http://u:p@localhost:41234/start/Qm9vLWJhci1iYXotcXV4LTAxMjM0NTY3',
      'http://evil.example:41234/start/Qm9vLWJhci1iYXotcXV4LTAxMjM0NTY3',
      'http://localhost:41234/other/Qm9vLWJhci1iYXotcXV4LTAxMjM0NTY3',
      'https://localhost:41234/start/Qm9vLWJhci1iYXotcXV4LTAxMjM0NTY3',
    ]) {
      assert.equal(isAllowedSignInUrl(url, GLOBAL), false, url);
    }
  });

  it('allows exactly the fixed help links', () => {
    for (const url of Object.values(HELP_LINKS)) assert.equal(isAllowedExternalUrl(url, GLOBAL), true, url);
    assert.equal(isAllowedExternalUrl(`${HELP_LINKS['register-app']}?evil=1`, GLOBAL), false);
    assert.equal(isAllowedExternalUrl('https://learn.microsoft.com/en-us/other-page', GLOBAL), false);
  });
});

describe('ExternalLinks', () => {
  it('opens an allowed sign-in URL and refuses a foreign one with BROWSER_OPEN_FAILED', async () => {
    const opened: string[] = [];
    const links = new ExternalLinks(async (url) => void opened.push(url), async () => GLOBAL, silentLogger);
    await links.openSignInUrl(AUTHORIZE);
    await assert.rejects(links.openSignInUrl('https://evil.example/authorize'), { code: 'BROWSER_OPEN_FAILED' });
    await links.openHelp('register-app');
    assert.deepEqual(opened, [AUTHORIZE, HELP_LINKS['register-app']]);
  });

  it('opens a device-code verification page only over plain https', async () => {
    const opened: string[] = [];
    const links = new ExternalLinks(async (url) => void opened.push(url), async () => GLOBAL, silentLogger);
    await links.openVerificationUrl('https://microsoft.com/devicelogin');
    await links.openVerificationUrl('https://login.microsoft.com/device');
    for (const url of ['http://microsoft.com/devicelogin', 'https://user:pass@microsoft.com/devicelogin', 'javascript:alert(1)', 'file:///etc/passwd', 'ms-settings:privacy', 'not a url']) {
      await assert.rejects(links.openVerificationUrl(url), { code: 'BROWSER_OPEN_FAILED' }, url);
    }
    assert.deepEqual(opened, ['https://microsoft.com/devicelogin', 'https://login.microsoft.com/device']);
  });

  it('turns a failing system browser into BROWSER_OPEN_FAILED', async () => {
    const links = new ExternalLinks(async () => Promise.reject(new Error('no handler')), async () => GLOBAL, silentLogger);
    await assert.rejects(links.openHelp('imap-smtp-oauth'), { code: 'BROWSER_OPEN_FAILED' });
  });
});

describe('Google sign-in URLs', () => {
  it('allows Google\'s sign-in origin, or the google.endpoint override\'s, and nothing near it', () => {
    assert.equal(isAllowedSignInUrl('https://accounts.google.com/o/oauth2/v2/auth?client_id=x', GLOBAL), true);
    assert.equal(isAllowedSignInUrl('https://accounts.google.com.evil.test/o/oauth2/v2/auth', GLOBAL), false);
    assert.equal(isAllowedSignInUrl('http://accounts.google.com/o/oauth2/v2/auth', GLOBAL), false);
    const local = { ...GLOBAL, 'google.endpoint': 'https://127.0.0.1:9443' };
    assert.equal(isAllowedSignInUrl('https://127.0.0.1:9443/o/oauth2/v2/auth?x=1', local), true);
    assert.equal(isAllowedSignInUrl('https://127.0.0.1:9443/o/oauth2/v2/auth?x=1', GLOBAL), false);
  });
});
