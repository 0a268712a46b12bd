#!/usr/bin/env node
// Entry point: the compiled CLI (npm install / npm run build produce dist/).
import '../dist/src/cli/main.js';
