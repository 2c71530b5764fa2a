#!/usr/bin/env node
// A tiny shim: all code lives in the bundled dist/cli.js (one file to load, so start-up stays fast).
import { run } from '../dist/cli.js';

await run();
