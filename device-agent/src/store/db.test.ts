import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../outbox/testing/fixtures.ts';
import { classifyStoreError, openStore, StoreError, toStoreError, type MigrationSet, type Store } from './db.ts';

const opened: Store[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

const notes: MigrationSet = {
  module: 'notes',
  migrations: [
    { id: '001', sql: 'CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT NOT NULL) STRICT;' },
    { id: '002', sql: "ALTER TABLE note ADD COLUMN tag TEXT NOT NULL DEFAULT 'x';" },
  ],
};

describe('openStore', () => {
  it('opens in WAL with full sync and foreign keys, and applies migrations once', () => {
    const dir = tempDir();
    const a = openStore({ dataDir: dir, migrations: [notes] });
    opened.push(a);
    expect(a.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(a.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(a.db.pragma('foreign_keys', { simple: true })).toBe(1);
    a.db.prepare("INSERT INTO note (text) VALUES ('a')").run();
    a.close();
    const b = openStore({ dataDir: dir, migrations: [notes] });
    opened.push(b);
    expect(b.db.prepare('SELECT module, id FROM schema_migrations ORDER BY id').all()).toEqual([
      { module: 'notes', id: '001' },
      { module: 'notes', id: '002' },
    ]);
    expect(b.db.prepare('SELECT text, tag FROM note').all()).toEqual([{ text: 'a', tag: 'x' }]);
  });

  it('rolls a failing migration back whole and records nothing', () => {
    const dir = tempDir();
    const broken: MigrationSet = { module: 'broken', migrations: [{ id: '001', sql: 'CREATE TABLE t1 (a INTEGER); CREATE TABLE t1 (b INTEGER);' }] };
    expect(() => openStore({ dataDir: dir, migrations: [broken] })).toThrow();
    const db = new Database(`${dir}/onevisit.sqlite`);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 't1'").all()).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a module registered twice', () => {
    expect(() => openStore({ dataDir: tempDir(), migrations: [notes, notes] })).toThrow(/twice/);
  });

  it('turns a full disk (SQLITE_FULL) into a typed StoreError', () => {
    const store = openStore({ dataDir: tempDir(), migrations: [notes] });
    opened.push(store);
    const pages = Number(store.db.pragma('page_count', { simple: true }));
    store.db.pragma(`max_page_count = ${pages + 2}`);
    let caught: unknown;
    try {
      const insert = store.db.prepare('INSERT INTO note (text) VALUES (?)');
      for (let i = 0; i < 100; i += 1) insert.run('x'.repeat(4000));
    } catch (error) {
      caught = error;
    }
    expect(classifyStoreError(caught)).toBe('diskFull');
    const typed = toStoreError(caught);
    expect(typed).toBeInstanceOf(StoreError);
    expect((typed as StoreError).code).toBe('diskFull');
  });

  it('classifies read-only and I/O errors', () => {
    expect(classifyStoreError({ code: 'SQLITE_READONLY_DBMOVED' })).toBe('readOnly');
    expect(classifyStoreError({ code: 'EROFS' })).toBe('readOnly');
    expect(classifyStoreError({ code: 'SQLITE_IOERR_FSYNC' })).toBe('ioError');
    expect(classifyStoreError(new Error('bug'))).toBe('other');
  });
});
