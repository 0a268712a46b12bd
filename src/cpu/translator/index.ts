/** The x86 → JavaScript / WebAssembly translator (see README.md). */
export { Translator, DEFAULT_HOT_THRESHOLD, RunBlock, WASM_BATCH_WAIT, type TranslatorOptions } from './translator.js';
export { modeKey } from './mode-key.js';
export { emitBlock, InsnEmitter, type Emitter, type EmitterTable, type BlockPlan } from './emit.js';
export { DEFAULT_EMITTERS } from './emit-ops.js';
export { findBlock, MAX_BLOCK_INSTRUCTIONS } from './block-finder.js';
export { decodeInsn, type DecodedInsn } from './decode.js';
export { MAX_BLOCKS, Block, CodeCache } from './code-cache.js';
export { WasmInsnEmitter, type WasmEmitter, type WasmEmitterTable } from './wasm/region.js';
export { WASM_EMITTERS } from './wasm/ops.js';
