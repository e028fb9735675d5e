'use strict';

/**
 * Makes every way out to the network throw, in the thread that calls it.
 *
 * OCR must run fully offline (issue 3): tesseract.js fetches its language data from a CDN
 * when it is not told otherwise, and its worker thread captures `global.fetch` when it loads.
 * The OCR worker thread installs this guard before tesseract's own worker script, so a
 * mistake in our options fails loudly and at once instead of reaching out (or hanging
 * offline). Tests install it in the main thread too, to prove recognition works without it.
 *
 * Plain CommonJS because it runs in a worker_thread, which does not get the tsx loader.
 */
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const tls = require('node:tls');
const dns = require('node:dns');

/** @param {(what: string) => void} [onAttempt] @returns {() => void} restore */
function installNetworkGuard(onAttempt) {
  const saved = [];
  const block = (owner, key, label) => {
    const original = owner[key];
    if (typeof original !== 'function') return;
    saved.push([owner, key, original]);
    owner[key] = function blockedByNetworkGuard() {
      if (onAttempt) onAttempt(label);
      throw new Error(`network access blocked (${label}): OCR runs offline`);
    };
  };
  block(globalThis, 'fetch', 'fetch');
  block(http, 'request', 'http.request');
  block(http, 'get', 'http.get');
  block(https, 'request', 'https.request');
  block(https, 'get', 'https.get');
  block(net, 'connect', 'net.connect');
  block(net, 'createConnection', 'net.createConnection');
  block(net.Socket.prototype, 'connect', 'net.Socket.connect');
  block(tls, 'connect', 'tls.connect');
  block(dns, 'lookup', 'dns.lookup');
  block(dns.promises, 'lookup', 'dns.promises.lookup');
  return () => {
    for (const [owner, key, original] of saved.reverse()) owner[key] = original;
  };
}

module.exports = { installNetworkGuard };
