/**
 * Our edits of the JavaScript jco generates for a component: each one removes
 * a per-call cost of jco 1.35's glue and leaves an output it does not
 * recognise as it is (so a jco that changes its output costs speed, never
 * correctness). The transpile cache's key names this set of edits.
 */

/**
 * jco's glue reads `process.env.JCO_DEBUG` (a getenv behind a C++ interceptor)
 * on every one of its several debug-log calls per import call; read it once,
 * when the module loads.
 */
function readDebugSwitchOnce(code: string): string {
  const perCall = "if (!globalThis?.process?.env?.JCO_DEBUG) { return; }";
  if (!code.includes(perCall)) return code;
  const edited = code.replaceAll(perCall, "if (!jcoDebugOnce) { return; }");
  // After the directive prologue ("use components"; …), which must stay first.
  const prologue = /^(?:\s*(["'])[^"'\n]*\1;?\s*\n)*/.exec(edited)?.[0] ?? "";
  return `${prologue}const jcoDebugOnce = globalThis?.process?.env?.JCO_DEBUG;\n${edited.slice(prologue.length)}`;
}

/**
 * `wasi:clocks/monotonic-clock#now` called straight from the core module.
 * componentize-js's engine reads the clock twice on every turn of its job
 * queue (each `await`: 200,000 calls for 100,000 awaits, measured), and
 * jco's glue builds a task and a subtask for each call (about half of a
 * bare `await`'s 8 µs). The call takes nothing and returns a number, so the
 * task machinery has nothing to track: no memory, no handle, no borrow.
 */
function directClockNow(code: string): string {
  const name = /_trampoline(\d+)\.fnName = 'wasi:clocks\/monotonic-clock@[\d.]+#now';/.exec(code);
  if (!name) return code;
  const index = name[1];
  // The trampoline's own call of the import, which names it in this scope.
  const body = new RegExp(`const _trampoline${index} = function\\(\\) \\{[\\s\\S]*?_trackHostOperation\\(\\(\\) => ([\\w$]+)\\(\\)\\)`).exec(code);
  // Its binding for the core module: `let trampolineN = … importFn: _trampolineN … );` (a sync and a JSPI form).
  const binding = new RegExp(
    `let trampoline${index} = _trampoline${index}\\.manuallyAsync \\?[\\s\\S]*?importFn: _trampoline${index},\\s*\\},\\s*\\)\\)\\) : _lowerImportBackwardsCompat\\.bind\\([\\s\\S]*?importFn: _trampoline${index},\\s*\\},\\s*\\);`,
  );
  if (!body || !binding.test(code)) return code;
  return code.replace(binding, `let trampoline${index} = () => BigInt.asUintN(64, BigInt(${body[1]}()));`);
}

/** jco's output for a component, with our edits. */
export function editJcoOutput(code: string): string {
  return directClockNow(readDebugSwitchOnce(code));
}
