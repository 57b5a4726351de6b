/**
 * Opens the sign-in URL: with $BROWSER when set (as git and xdg-utils do), else the system's.
 */
import { spawn } from 'node:child_process';

function commandFor(url: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): { file: string; args: string[] } {
  const browser = env.BROWSER?.split(':').find((entry) => entry.trim() !== '');
  if (browser) {
    const parts = browser.trim().split(/\s+/);
    const args = parts.slice(1);
    // xdg convention: %s stands for the URL; otherwise the URL is the last argument.
    return args.some((arg) => arg.includes('%s'))
      ? { file: parts[0]!, args: args.map((arg) => arg.replace('%s', url)) }
      : { file: parts[0]!, args: [...args, url] };
  }
  if (platform === 'darwin') return { file: 'open', args: [url] };
  // rundll32 takes the URL verbatim; `cmd /c start` would split it at every "&".
  if (platform === 'win32') return { file: 'rundll32', args: ['url.dll,FileProtocolHandler', url] };
  return { file: 'xdg-open', args: [url] };
}

export function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Promise<void> {
  const { file, args } = commandFor(url, env, platform);
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { detached: true, stdio: 'ignore', env });
    child.once('error', (error) => reject(new Error(`could not run ${file}: ${(error as NodeJS.ErrnoException).code ?? error.message}`)));
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
