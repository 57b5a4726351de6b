/**
 * A fresh install: adding an account before any app is registered prints the registration
 * steps of that account's provider (Azure for Outlook, Google Cloud for Gmail), not just an
 * error, through the real CLI.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli-process.js';

describe('set-up guides on a fresh install (CLI)', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'tokentray-guides-'));
    env = { ...process.env, TOKENTRAY_HOME: home };
    for (const name of Object.keys(env)) if (name.startsWith('TOKENTRAY_') && name !== 'TOKENTRAY_HOME' && name !== 'TOKENTRAY_KEYRING_DIR') delete env[name];
  });

  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('a Gmail account gets the Google Cloud steps, with the Gmail scopes and where the secret goes', async () => {
    const result = await runCli(['account', 'add', 'mail', '--provider', 'google'], env);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /No Google OAuth client id is configured yet/);
    assert.match(result.stderr, /No Google client yet\./);
    assert.match(result.stderr, /Gmail IMAP\/SMTP accounts: https:\/\/mail\.google\.com\//);
    assert.match(result.stderr, /expire after 7 days/);
    assert.match(result.stderr, /tokentray config set-secret google\.clientSecret/);
    assert.doesNotMatch(result.stderr, /Azure/);
  });

  it('an Outlook account gets the Azure steps', async () => {
    const result = await runCli(['account', 'add', 'work'], env);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Register an app in Azure/);
    assert.doesNotMatch(result.stderr, /Google Cloud/);
  });
});
