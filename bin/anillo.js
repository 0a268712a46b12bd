#!/usr/bin/env -S node --v8-pool-size=1
// Entry point: the compiled CLI (npm install / npm run build produce dist/).
//
// --v8-pool-size=1: V8 gets one worker thread, not Node's default four, for
// its background work (WebAssembly tier-up compiles, concurrent GC). The
// machine runs on the main thread; more workers take cores from it on small
// hosts, and each keeps a malloc arena of compiler zones resident (figures:
// src/cpu/translator/README.md). `npm start` runs this file and the bench
// (bench/boot/peers.ts) launches Node with the flags of its first line, so
// both run what `anillo` runs.
import '../dist/src/cli/main.js';
