#!/usr/bin/env node
// The kiosk browser of a real terminal (issue 11): Debian Chromium in kiosk mode, locked down by a
// managed policy. `npm run kiosk -- <command>`:
//
//   policy          [--port 5846]                 print the managed policy (JSON)
//   install-policy  [--port 5846] [--dir DIR]     write it to DIR/onevisit.json (default
//                                                 /etc/chromium/policies/managed; run as root)
//   remove-policy   [--dir DIR]                   remove it again
//   launch          [--port 5846] [--secret-file /run/onevisit/launch-secret]
//                   [--chromium /usr/bin/chromium] [--user-data-dir DIR] [--headless]
//                   run as the kiosk account: reads the agent's per-boot launch secret and starts
//                   Chromium at http://127.0.0.1:PORT/#launch=SECRET. The secret travels only in the
//                   URL fragment (never a query string) and is never printed.
//
// The policy is machine-wide: every Chromium on the machine obeys it (README "The kiosk browser").
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const DEFAULT_PORT = 5846;
const DEFAULT_POLICY_DIR = '/etc/chromium/policies/managed';
const POLICY_FILE = 'onevisit.json';
const DEFAULT_SECRET_FILE = '/run/onevisit/launch-secret';

/** The managed policy: the agent's origin only, nothing else a passer-by could use. Names: chromeenterprise.google/policies. */
export function kioskPolicy(port) {
  return {
    // Only the agent's origin; every other URL, file:// and chrome:// pages included, is blocked.
    URLBlocklist: ['*'],
    URLAllowlist: [`http://127.0.0.1:${port}`],
    // 2 = developer tools may not be used at all.
    DeveloperToolsAvailability: 2,
    // The DevTools protocol port (--remote-debugging-port) is a separate switch: without this a flag on
    // the command line still opens it (measured with Debian Chromium 156, test/security/kiosk-browser.test.ts).
    RemoteDebuggingAllowed: false,
    // 3 = block every download.
    DownloadRestrictions: 3,
    PrintingEnabled: false,
    PasswordManagerEnabled: false,
    TranslateEnabled: false,
    AutofillAddressEnabled: false,
    AutofillCreditCardEnabled: false,
    // 2 = block pop-ups; the page's own guard refuses window.open too.
    DefaultPopupsSetting: 2,
    DefaultNotificationsSetting: 2,
    DefaultGeolocationSetting: 2,
    AllowFileSelectionDialogs: false,
    BrowserSignin: 0,
    SyncDisabled: true,
    BrowserGuestModeEnabled: false,
    BrowserAddPersonEnabled: false,
    IncognitoModeAvailability: 0,
    BookmarkBarEnabled: false,
    SearchSuggestEnabled: false,
    MetricsReportingEnabled: false,
    SpellCheckServiceEnabled: false,
  };
}

/** Chromium's flags for the kiosk: full screen, no bars, no gestures that leave the page, nothing kept on disk. */
export function kioskFlags(userDataDir) {
  return [
    '--kiosk',
    '--incognito',
    `--user-data-dir=${userDataDir}`,
    '--no-first-run',
    '--noerrdialogs',
    '--disable-infobars',
    '--disable-session-crashed-bubble',
    '--disable-translate',
    '--disable-features=Translate,TouchpadOverscrollHistoryNavigation',
    '--overscroll-history-navigation=0',
    '--disable-pinch',
    '--disable-sync',
    '--disable-background-networking',
    '--disable-component-update',
    '--check-for-update-interval=31536000',
    '--autoplay-policy=no-user-gesture-required',
  ];
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function portOf(values) {
  const port = Number(values.port ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail('--port must be a whole number from 1 to 65535.');
  return port;
}

function main(argv) {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      port: { type: 'string' },
      dir: { type: 'string' },
      'secret-file': { type: 'string' },
      chromium: { type: 'string' },
      'user-data-dir': { type: 'string' },
      headless: { type: 'boolean' },
    },
    strict: true,
  });
  switch (command) {
    case 'policy':
      process.stdout.write(`${JSON.stringify(kioskPolicy(portOf(values)), null, 2)}\n`);
      return;
    case 'install-policy': {
      const dir = values.dir ?? DEFAULT_POLICY_DIR;
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      const file = path.join(dir, POLICY_FILE);
      const temp = `${file}.tmp`;
      writeFileSync(temp, `${JSON.stringify(kioskPolicy(portOf(values)), null, 2)}\n`, { mode: 0o644 });
      chmodSync(temp, 0o644);
      renameSync(temp, file);
      process.stdout.write(`Installed ${file}: every Chromium on this machine now opens only http://127.0.0.1:${portOf(values)}.\n`);
      return;
    }
    case 'remove-policy': {
      const file = path.join(values.dir ?? DEFAULT_POLICY_DIR, POLICY_FILE);
      rmSync(file, { force: true });
      process.stdout.write(`Removed ${file}.\n`);
      return;
    }
    case 'launch': {
      const secretFile = values['secret-file'] ?? DEFAULT_SECRET_FILE;
      let secret;
      try {
        secret = readFileSync(secretFile, 'utf8').trim();
      } catch (error) {
        fail(`Cannot read the launch secret ${secretFile} (${error.code ?? error.message}): is the agent running, and is this the kiosk account (README "OS accounts")?`);
      }
      if (!/^[A-Za-z0-9_-]{16,256}$/.test(secret)) fail(`${secretFile} does not hold a launch secret.`);
      const userDataDir = values['user-data-dir'] ?? path.join(tmpdir(), 'onevisit-kiosk-profile');
      const args = [...kioskFlags(userDataDir), ...(values.headless ? ['--headless', '--disable-gpu'] : []), `http://127.0.0.1:${portOf(values)}/#launch=${secret}`];
      const child = spawn(values.chromium ?? '/usr/bin/chromium', args, { stdio: 'ignore' });
      child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
      for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => child.kill(sig));
      return;
    }
    default:
      fail('Usage: npm run kiosk -- policy|install-policy|remove-policy|launch [--port 5846] [--dir DIR] [--secret-file FILE]');
  }
}

main(process.argv.slice(2));
