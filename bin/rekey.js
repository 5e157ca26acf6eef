#!/usr/bin/env node
// `npx rekey` runs the committed bundle, so it needs no build step and no TypeScript loader.
import '../dist/cli.js';
