/** Instruction family: bcd. (Being written.) */
import type { Handler } from '../dispatch.js';

/** Handlers of this family by name (see opcode-table.ts). */
export const handlers: Record<string, Handler> = {};
