/// <reference types="node" />
/**
 * Build-time only: bundles src/sw/service-worker.ts to dist/sw.js (a fixed name: the page registers
 * it by that URL, and its scope is the site root) and writes into it the list of this build's files
 * and a version hashed from their contents (issue 10, fonts cached by the page). A build that changes
 * any file changes sw.js, so the browser installs the new worker, which drops the old cache.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import type { PrecacheManifest } from '../src/sw/policy.ts';

export const SERVICE_WORKER_FILE = 'sw.js';
const PLACEHOLDER = '__ONEVISIT_PRECACHE__';
const ENTRY = fileURLToPath(new URL('../src/sw/service-worker.ts', import.meta.url));

/** The files the worker keeps: the page, JS, CSS and the woff2 fonts (not source maps, not itself). */
export function precacheManifest(files: ReadonlyMap<string, string | Uint8Array>): PrecacheManifest {
  const names = [...files.keys()].filter((name) => name === 'index.html' || /\.(js|css|woff2)$/.test(name)).filter((name) => name !== SERVICE_WORKER_FILE).sort();
  const hash = createHash('sha256');
  for (const name of names) {
    hash.update(name);
    hash.update('\0');
    hash.update(files.get(name) ?? '');
    hash.update('\0');
  }
  return { version: hash.digest('hex').slice(0, 16), urls: names.map((name) => (name === 'index.html' ? '/' : `/${name}`)) };
}

export function serviceWorkerPlugin(): Plugin {
  return {
    name: 'onevisit:service-worker',
    apply: 'build',
    // After vite has written index.html into the bundle.
    enforce: 'post',
    buildStart() {
      this.emitFile({ type: 'chunk', id: ENTRY, fileName: SERVICE_WORKER_FILE });
    },
    generateBundle(_options, bundle) {
      const worker = bundle[SERVICE_WORKER_FILE];
      if (worker?.type !== 'chunk') throw new Error(`${SERVICE_WORKER_FILE} is missing from the bundle`);
      if (worker.imports.length > 0) throw new Error(`${SERVICE_WORKER_FILE} must be one file, but imports ${worker.imports.join(', ')}`);
      const files = new Map<string, string | Uint8Array>();
      for (const [name, output] of Object.entries(bundle)) files.set(name, output.type === 'chunk' ? output.code : output.source);
      const manifest = precacheManifest(files);
      if (!worker.code.includes(PLACEHOLDER)) throw new Error(`${SERVICE_WORKER_FILE} lacks ${PLACEHOLDER}`);
      worker.code = worker.code.replaceAll(PLACEHOLDER, JSON.stringify(manifest));
    },
  };
}
