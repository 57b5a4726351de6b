import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CLOUDS, authorityFor, scopesFor } from '../../../../src/core/identity/microsoft/clouds.js';
import type { Cloud } from '../../../../src/shared/settings-shape.js';

const ALL_CLOUDS = Object.keys(CLOUDS) as Cloud[];

describe('clouds', () => {
  it('asks for IMAP + SMTP on the Outlook resource, with offline_access', () => {
    assert.deepEqual(scopesFor('global', 'outlook'), [
      'https://outlook.office.com/IMAP.AccessAsUser.All',
      'https://outlook.office.com/SMTP.Send',
      'offline_access',
    ]);
  });

  it('asks for mail scopes on Graph for the graph profile', () => {
    assert.deepEqual(scopesFor('global', 'graph'), [
      'https://graph.microsoft.com/Mail.ReadWrite',
      'https://graph.microsoft.com/Mail.Send',
      'https://graph.microsoft.com/User.Read',
      'offline_access',
    ]);
  });

  it('never mixes two resources in one request, in any cloud', () => {
    for (const cloud of ALL_CLOUDS) {
      for (const profile of ['outlook', 'graph'] as const) {
        const resources = new Set(scopesFor(cloud, profile).filter((scope) => scope !== 'offline_access').map((scope) => new URL(scope).origin));
        assert.equal(resources.size, 1, `${cloud}/${profile}`);
        assert.ok(scopesFor(cloud, profile).includes('offline_access'));
      }
    }
  });

  it('uses each sovereign cloud its own hosts', () => {
    assert.equal(scopesFor('gcc-high', 'outlook')[0], 'https://outlook.office365.us/IMAP.AccessAsUser.All');
    assert.equal(scopesFor('dod', 'graph')[0], 'https://dod-graph.microsoft.us/Mail.ReadWrite');
    assert.equal(scopesFor('china', 'outlook')[1], 'https://partner.outlook.cn/SMTP.Send');
    for (const cloud of ALL_CLOUDS) assert.match(CLOUDS[cloud].loginHost, /^https:\/\//);
  });

  it('builds the authority from cloud and tenant, unless overridden', () => {
    assert.equal(authorityFor({ cloud: 'global', tenant: 'organizations', authority: null }), 'https://login.microsoftonline.com/organizations');
    assert.equal(authorityFor({ cloud: 'china', tenant: 'contoso.partner.onmschina.cn', authority: null }), 'https://login.chinacloudapi.cn/contoso.partner.onmschina.cn');
    assert.equal(authorityFor({ cloud: 'global', tenant: 'common', authority: 'https://127.0.0.1:8443/tenant//' }), 'https://127.0.0.1:8443/tenant');
  });
});
