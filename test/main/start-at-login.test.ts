import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { StartAtLogin, linuxAutostartEntry, quoteExecArgument } from '../../src/main/start-at-login.js';
import { FakeApp } from '../fakes/fake-electron.js';

const temp = mkdtempSync(join(tmpdir(), 'tokentray-autostart-'));
after(() => rmSync(temp, { recursive: true, force: true }));

describe('start at login', () => {
  it('uses the login item on macOS and Windows', async () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const app = new FakeApp('/data', platform);
      const startAtLogin = new StartAtLogin({ platform, app, env: {}, homeDir: temp, execPath: '/Applications/tokentray.app/Contents/MacOS/tokentray' });
      await startAtLogin.setEnabled(true);
      assert.deepEqual(app.loginItem, { openAtLogin: true });
      assert.equal(startAtLogin.isEnabled(), true);
      await startAtLogin.setEnabled(false);
      assert.equal(startAtLogin.isEnabled(), false);
    }
  });

  it('writes and removes ~/.config/autostart/tokentray.desktop on Linux, starting the AppImage', async () => {
    const home = mkdtempSync(join(temp, 'home-'));
    const app = new FakeApp('/data', 'linux');
    app.isPackaged = true;
    const startAtLogin = new StartAtLogin({
      platform: 'linux',
      app,
      env: { APPIMAGE: '/home/me/Apps/tokentray 0.1.0.AppImage' },
      homeDir: home,
      execPath: '/tmp/.mount_tokenXYZ/tokentray',
    });
    const file = join(home, '.config', 'autostart', 'tokentray.desktop');
    assert.equal(startAtLogin.autostartFile, file);
    await startAtLogin.setEnabled(true);
    assert.equal(startAtLogin.isEnabled(), true);
    const entry = readFileSync(file, 'utf8');
    assert.match(entry, /^\[Desktop Entry\]\nType=Application\nName=tokentray\n/);
    assert.match(entry, /\nExec="\/home\/me\/Apps\/tokentray 0\.1\.0\.AppImage"\n/);
    assert.equal(statSync(file).mode & 0o777, 0o644);
    assert.deepEqual(app.loginItem, { openAtLogin: false }, 'no login item on Linux');
    await startAtLogin.setEnabled(false);
    assert.equal(existsSync(file), false);
    await startAtLogin.setEnabled(false); // removing twice is fine
  });

  it('replaces a link planted at the entry instead of writing through it, and leaves no temp file', async () => {
    const home = mkdtempSync(join(temp, 'home-'));
    const autostart = join(home, '.config', 'autostart');
    mkdirSync(autostart, { recursive: true });
    const victim = join(home, 'victim.txt');
    writeFileSync(victim, 'untouched');
    symlinkSync(victim, join(autostart, 'tokentray.desktop'));
    const app = new FakeApp('/data', 'linux');
    app.isPackaged = true;
    const startAtLogin = new StartAtLogin({ platform: 'linux', app, env: {}, homeDir: home, execPath: '/opt/tokentray/tokentray' });
    await startAtLogin.setEnabled(true);
    const entry = join(autostart, 'tokentray.desktop');
    assert.equal(lstatSync(entry).isFile(), true, 'a regular file now, not the link');
    assert.match(readFileSync(entry, 'utf8'), /\nExec=\/opt\/tokentray\/tokentray\n/);
    assert.equal(readFileSync(victim, 'utf8'), 'untouched');
    assert.deepEqual(readdirSync(autostart), ['tokentray.desktop']);
  });

  it('respects XDG_CONFIG_HOME and starts electron with the app folder in development', () => {
    const app = new FakeApp('/data', 'linux', '/src/tokentray');
    const startAtLogin = new StartAtLogin({ platform: 'linux', app, env: { XDG_CONFIG_HOME: '/cfg' }, homeDir: '/home/me', execPath: '/src/tokentray/node_modules/electron/dist/electron' });
    assert.equal(startAtLogin.autostartFile, '/cfg/autostart/tokentray.desktop');
    assert.deepEqual(startAtLogin.launchCommand(), ['/src/tokentray/node_modules/electron/dist/electron', '/src/tokentray']);
    app.isPackaged = true;
    assert.deepEqual(startAtLogin.launchCommand(), ['/src/tokentray/node_modules/electron/dist/electron']);
  });

  it('quotes Exec arguments as the Desktop Entry spec requires', () => {
    assert.equal(quoteExecArgument('/usr/bin/tokentray'), '/usr/bin/tokentray');
    assert.equal(quoteExecArgument('/opt/my apps/tokentray'), '"/opt/my apps/tokentray"');
    assert.equal(quoteExecArgument('/x/100%/t'), '/x/100%%/t');
    assert.equal(quoteExecArgument('/a$b'), '"/a\\\\$b"');
    assert.equal(quoteExecArgument('/a"b'), '"/a\\\\"b"');
    assert.equal(linuxAutostartEntry(['/a b', '--x']).split('\n').find((line) => line.startsWith('Exec=')), 'Exec="/a b" --x');
  });
});
