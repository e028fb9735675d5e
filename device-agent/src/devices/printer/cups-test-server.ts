import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A private cupsd for tests: its own config, spool and a Unix socket in a fresh temp folder,
 * so tests neither need nor disturb the machine's CUPS, and run the same in CI. It runs as
 * root (the CUPS-PDF backend refuses to run otherwise) and adds a CUPS-PDF queue.
 *
 * CUPS-PDF writes its output where /etc/cups/cups-pdf.conf says; for a queue with the device URI
 * `cups-pdf:/NAME` it reads /etc/cups/cups-pdf-NAME.conf instead and, without one, uses its
 * built-in default /var/spool/cups-pdf/USER. `outputDirs` lists where to look.
 */
export type CupsTestServer = {
  /** CUPS_SERVER value (the socket path). */
  server: string;
  queue: string;
  /** Where the CUPS-PDF backend may write its PDFs, most likely first. */
  outputDirs: string[];
  stop(): Promise<void>;
};

export type CupsUnavailable = { unavailable: string };

export async function startCupsTestServer(queue = 'OneVisitPDF'): Promise<CupsTestServer | CupsUnavailable> {
  if (process.getuid?.() !== 0) return { unavailable: 'not root: cupsd and the CUPS-PDF backend need root' };
  for (const bin of ['/usr/sbin/cupsd', '/usr/sbin/lpadmin', '/usr/bin/lp', '/usr/bin/ipptool', '/usr/lib/cups/backend/cups-pdf']) {
    if (!existsSync(bin)) return { unavailable: `${bin} missing (apt-get install cups cups-client cups-ipp-utils printer-driver-cups-pdf)` };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onevisit-cups-'));
  for (const sub of ['root', 'spool', 'tmp', 'cache', 'state', 'log']) mkdirSync(path.join(dir, sub));
  chmodSync(path.join(dir, 'tmp'), 0o1777);
  // cupsd's children (filters, backends) must reach the folders.
  chmodSync(dir, 0o755);
  const socket = path.join(dir, 'cups.sock');
  writeFileSync(
    path.join(dir, 'cupsd.conf'),
    [
      `Listen ${socket}`,
      'LogLevel warn',
      'WebInterface No',
      'Browsing No',
      'DefaultAuthType None',
      'MaxJobs 0',
      '<Location />',
      '  Order allow,deny',
      '  Allow all',
      '</Location>',
      '<Policy default>',
      '  <Limit All>',
      '    Order deny,allow',
      '  </Limit>',
      '</Policy>',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'cups-files.conf'),
    [
      `ServerRoot ${dir}/root`,
      `RequestRoot ${dir}/spool`,
      `TempDir ${dir}/tmp`,
      `CacheDir ${dir}/cache`,
      `StateDir ${dir}/state`,
      `ErrorLog ${dir}/log/error_log`,
      `AccessLog ${dir}/log/access_log`,
      `PageLog ${dir}/log/page_log`,
      'SystemGroup root',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('/usr/sbin/cupsd', ['-f', '-c', path.join(dir, 'cupsd.conf'), '-s', path.join(dir, 'cups-files.conf')], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let alive = true;
  child.once('exit', () => {
    alive = false;
  });
  const stop = async (): Promise<void> => {
    if (alive) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 300 && alive && !existsSync(socket); i += 1) await new Promise((r) => setTimeout(r, 10));
  if (!existsSync(socket)) {
    await stop();
    return { unavailable: 'cupsd did not start (see its error_log)' };
  }
  const env = { ...process.env, CUPS_SERVER: socket };
  const ppd = '/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd';
  const added = await new Promise<string | undefined>((resolve) => {
    execFile('/usr/sbin/lpadmin', ['-p', queue, '-E', '-v', 'cups-pdf:/', '-P', ppd], { env, timeout: 15_000 }, (error, _out, stderr) =>
      resolve(error ? stderr || error.message : undefined),
    );
  });
  if (added !== undefined) {
    await stop();
    return { unavailable: `lpadmin failed: ${added}` };
  }
  // cups-pdf:/ reads /etc/cups/cups-pdf.conf: Debian's says `Out ${HOME}/PDF`; its built-in
  // default is /var/spool/cups-pdf/${USER}. Jobs run as root here.
  return { server: socket, queue, outputDirs: ['/root/PDF', '/var/spool/cups-pdf/root', '/var/spool/cups-pdf/ANONYMOUS'], stop };
}

export function isUnavailable(value: CupsTestServer | CupsUnavailable): value is CupsUnavailable {
  return 'unavailable' in value;
}
