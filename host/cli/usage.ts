/** The CLI's help texts: one per command, each with an example that works as written. */

export const MAIN_USAGE = `host-process — run WebAssembly components that may start only the programs you allow

Usage:
  host-process build <main.ts> [-o main.wasm]     bundle a TypeScript/JavaScript guest into a component
  host-process run <main.wasm> [flags] [-- args]  run a component under a policy
  host-process wit [--out DIR]                    print (or write out) the host:process WIT package
  host-process <command> --help                   help for one command

Example:
  host-process build main.ts -o main.wasm && host-process run main.wasm --allow-run=ls
`;

export const BUILD_USAGE = `host-process build — bundle a guest (esbuild) and make it a component (componentize-js)

Usage:
  host-process build <main.ts> [-o <main.wasm>]

The module's top-level code becomes the body of the component's wasi:cli/run
export; \`import … from "host:process"\` is the guest module. Takes 10–15 s.

Options:
  -o, --output FILE   where to write the component (default: <main>.wasm beside <main.ts>)
  -h, --help          this help

Example:
  host-process build main.ts -o main.wasm
`;

export const RUN_USAGE = `host-process run — run a command component; only what the flags allow may be started

Usage:
  host-process run <main.wasm> [flags] [-- guest arguments]

Flags (nothing is allowed unless a flag or the policy file says so):
  --allow-run[=a,b]      programs the guest may start (names on PATH or absolute paths); alone: any that runs no others
  --deny-run[=c,d]       programs it may never start, even if allowed; alone: every one
  --allow-env[=A,B]      variables it may set for its children; alone: locale, time zone, terminal, colour
  --inherit-env=A,B      host variables every child inherits
  --allow-cwd=DIR[,DIR]  directories (and below) it may choose as a child's working directory
  --policy FILE          a JSON policy (schema: host-process/policy.schema.json); flags add to it
  --learn-policy FILE    grant what is missing, then write the smallest policy allowing what ran
  --dry-run              after the run, report every request the policy refused, with its rule
  -h, --help             this help

The exit status is the guest's: 0, the code it exits with, or 1 if its run failed.

Examples:
  host-process run main.wasm --allow-run=ls
  host-process run main.wasm --allow-run=git --allow-cwd=. -- --since=yesterday
`;

export const WIT_USAGE = `host-process wit — the host:process WIT package, for guests in other languages

Usage:
  host-process wit              print wit/process.wit (the host:process@0.1.0 package)
  host-process wit --out DIR    write process.wit and deps/ (wasi:io, wasi:cli, …) into DIR

Options:
  --out DIR    where to write the self-contained WIT folder (for wit-bindgen, cargo component …)
  -h, --help   this help

Example:
  host-process wit --out wit
`;
