'use strict';

/**
 * The script our tesseract.js workers run (`workerPath`): the network guard first, then
 * tesseract.js's own Node worker script, which must not be able to fetch anything.
 */
const { installNetworkGuard } = require('./network-guard.cjs');

installNetworkGuard();
require('tesseract.js/src/worker-script/node/index.js');
