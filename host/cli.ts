#!/usr/bin/env node
/** The `host-process` executable (package.json `bin`); the command line itself is in cli/main.ts. */
import { main } from "./cli/main.js";

process.exitCode = await main(process.argv.slice(2));
