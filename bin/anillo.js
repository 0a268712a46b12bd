#!/usr/bin/env -S node --v8-pool-size=1 --max-semi-space-size=2 --optimize-for-size
// Entry point: the compiled CLI (npm install / npm run build produce dist/).
//
// V8 settings for a long-running emulator (figures: src/cpu/translator/README.md):
// - --v8-pool-size=1: one worker thread for V8's background work (WebAssembly
//   tier-up compiles, concurrent GC), not Node's default four. The machine
//   runs on the main thread; more workers take cores from it on small hosts,
//   and each keeps a malloc arena of compiler zones resident.
// - --max-semi-space-size=2 (MiB): the machine allocates little per
//   instruction, so a young generation grown to Node's default 16 MiB
//   semi-spaces buys nothing and stays resident.
// - --optimize-for-size: V8 grows its heap and keeps garbage less eagerly;
//   the translator's peak is a few MiB lower and no figure slower.
// `npm start` runs this file, and the bench (bench/boot/peers.ts) launches
// Node with the flags of its first line, so both run what `anillo` runs.
//
// WebAssembly branch hints (the regions mark their slow paths unlikely:
// translator/wasm/module-builder.ts) are read by V8 13.7 and later as a
// matter of course, by older ones behind a flag. It is set here, before any
// module is compiled, not on the #! line: a Node that no longer knows the
// flag would refuse to start.
import { setFlagsFromString } from 'node:v8';

const [v8Major, v8Minor] = process.versions.v8.split('.').map(Number);
if (v8Major < 13 || (v8Major === 13 && v8Minor < 7)) setFlagsFromString('--experimental-wasm-branch-hinting');
await import('../dist/src/cli/main.js');
