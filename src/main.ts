#!/usr/bin/env node
// The porta executable: argv to the command line, nothing else.
import { main } from './cli/index.js';

await main(process.argv.slice(2));
