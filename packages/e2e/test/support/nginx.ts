import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNginx } from '@authmeet/web-client/nginx-process';

/**
 * `nginx -t` on a configuration rendered with its container paths moved into a scratch folder
 * (`render` receives the folder). Throws with nginx's message when nginx refuses it.
 */
export function assertNginxAccepts(render: (dir: string) => string): void {
  const nginx = findNginx(process.env.PATH, process.env.NGINX_BIN);
  if (nginx === undefined) throw new Error('nginx not found: .ci/system-packages.sh installs it');
  const dir = mkdtempSync(join(tmpdir(), 'nginx-check-'));
  try {
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, render(dir));
    execFileSync(nginx, ['-t', '-q', '-e', join(dir, 'error.log'), '-c', conf], { stdio: 'pipe' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
