/** The CLI's help texts: one per command, each with an example that works as written. */

export const MAIN_USAGE = `host-process — run WebAssembly components that may start only the programs you allow

Usage:
  host-process build <main.ts> [-o main.wasm]     bundle a TypeScript/JavaScript guest into a component
  host-process check <main.ts>                    type-check a guest against the guest types (needs typescript)
  host-process run <main.wasm> [flags] [-- args]  run a component under a policy
  host-process wit [--out DIR]                    print (or write out) the host:process WIT package
  host-process <command> --help                   help for one command

Example:
  host-process build main.ts -o main.wasm && host-process run main.wasm --allow-run=ls
`;

export const BUILD_USAGE = `host-process build — bundle a guest (esbuild) and make it a component (componentize-js)

Usage:
  host-process build <main.ts> [-o <main.wasm>] [--check]

The module's top-level code becomes the body of the component's wasi:cli/run
export; \`import … from "host:process"\` is the guest module. Takes 10–15 s.
Without --check nothing is type-checked: esbuild only strips the types.

Options:
  -o, --output FILE   where to write the component (default: <main>.wasm beside <main.ts>)
  --check             type-check first, as \`host-process check\` does, and build only if
                      there are no errors; without TypeScript installed, fails and builds nothing
  -h, --help          this help

Examples:
  host-process build main.ts -o main.wasm
  host-process build main.ts -o main.wasm --check
`;

export const CHECK_USAGE = `host-process check — type-check a guest against host-process's guest types

Usage:
  host-process check <main.ts>

Checks the guest and what it imports with the TypeScript compiler of its
project (the \`typescript\` package found from the guest's folder, or from the
current one) against host-process/guest-types, with the options the build
uses: ES2022, ES modules, strict; a tsconfig.json of the project is not read.
JavaScript files are checked only if they start with // @ts-check. Errors are
printed as file:line:col: error TSnnnn: message; the exit status is 1 if there
are any, else 0.

TypeScript is not a dependency of host-process. If it is not installed, check
(and build --check) exit with status 1, say so, and build nothing; install it
with \`npm install --save-dev typescript\`.

Options:
  -h, --help   this help

Example:
  host-process check main.ts
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
  --confine              run every child in an OS sandbox (bubblewrap): read-only files but the
                         --allow-cwd directories, private /tmp, no network, own PID namespace
  --allow-write=DIR[,DIR] confined children may write these directories instead (implies --confine)
  --allow-net            confined children may use the network
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
