// Runs every test/**/*.test.ts with Node's own test runner (Node 20 does not glob .ts itself).
// Usage: node scripts/run-tests.mjs [substring filter …]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

// The tests use the real OS keychain. On Linux they always run in a private D-Bus session
// with a throw-away unlocked gnome-keyring (scripts/with-keyring.sh), so they never touch
// the developer's own keyring and work on machines without a desktop session.
function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}
if (process.platform === 'linux' && !process.env.TOKENTRAY_KEYRING_DIR) {
  if (has('dbus-run-session') && has('gnome-keyring-daemon')) {
    const wrapped = spawnSync('bash', ['scripts/with-keyring.sh', process.execPath, ...process.argv.slice(1)], { stdio: 'inherit' });
    process.exit(wrapped.status ?? 1);
  }
  console.warn('run-tests: dbus-run-session / gnome-keyring-daemon not found; keychain tests will fail (apt-get install dbus gnome-keyring libsecret-1-dev)');
}

const filters = process.argv.slice(2);
const files = findTests('test')
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
