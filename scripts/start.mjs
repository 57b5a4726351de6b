// `npm start`: the tray app when Electron can run here, otherwise the same core headless.
//
// The Electron binary is downloaded separately (`node node_modules/electron/install.js`) and
// needs a display; without either we run `tokentray serve` (refresher + auth server) and say
// why in one line. Extra arguments are passed through to whichever starts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);

/** The Electron executable if its binary was downloaded, else null. */
function electronBinary() {
  const pathFile = join(root, 'node_modules/electron/path.txt');
  if (!existsSync(pathFile)) return null;
  const executable = join(root, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(executable) ? executable : null;
}

function hasDisplay() {
  if (process.platform !== 'linux' && process.platform !== 'freebsd') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

function ensureBuilt(entry) {
  if (existsSync(join(root, entry))) return;
  console.log(`tokentray: ${entry} is missing; building first (npm run build)`);
  const built = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

function run(command, commandArgs) {
  const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
  child.on('error', (error) => {
    console.error(`tokentray: could not start ${command}: ${error.message}`);
    process.exitCode = 1;
  });
}

const electron = electronBinary();
const display = hasDisplay();
if (electron && display) {
  ensureBuilt('dist/main/main.js');
  run(electron, ['.', ...args]);
} else {
  const reason = !electron
    ? 'Electron is not installed here (run `node node_modules/electron/install.js` on a machine with internet)'
    : 'no display is available (DISPLAY / WAYLAND_DISPLAY are not set)';
  console.log(`tokentray: ${reason}; running headless: tokentray serve`);
  ensureBuilt('dist/cli-bundle/process-hardening.cjs'); // what bin/tokentray.cjs loads first
  run(process.execPath, [join(root, 'bin/tokentray.cjs'), 'serve', ...args]);
}
