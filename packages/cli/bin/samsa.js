#!/usr/bin/env node
// Thin launcher so the `samsa` bin exists right after `npm ci`, before `tsc -b` has produced dist/.
await import('../dist/src/bin.js')
