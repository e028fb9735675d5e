import { chmodSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STORE_MIGRATIONS } from '../../device-agent/src/services.ts';
import { openStore } from '../../device-agent/src/store/db.ts';

/** Issue 11, storage: the data folder is 0700 and the database, WAL and shared-memory files 0600. */

describe('data folder modes', () => {
  it('makes the data folder 0700 and the database files 0600, even for a folder that existed open', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'onevisit-modes-'));
    chmodSync(dataDir, 0o755);
    const store = openStore({ dataDir, migrations: STORE_MIGRATIONS });
    try {
      store.db.exec('CREATE TABLE IF NOT EXISTS modes_probe (x INTEGER)');
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      const files = readdirSync(dataDir).filter((n) => n.startsWith(path.basename(store.file)));
      expect(files).toEqual(expect.arrayContaining([path.basename(store.file), `${path.basename(store.file)}-wal`]));
      for (const name of files) expect(statSync(path.join(dataDir, name)).mode & 0o777, name).toBe(0o600);
    } finally {
      store.close();
    }
  });
});
