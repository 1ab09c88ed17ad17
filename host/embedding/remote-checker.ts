/**
 * The host's `checker` for a guest in its own thread: the guest's thread asks
 * the host's thread and waits for the answer (a checker answers synchronously,
 * within the spawn). The host's thread is free to answer, since the guest no
 * longer runs on it.
 */
import { MessagePort, receiveMessageOnPort } from "node:worker_threads";
import type { ProcessCapabilityChecker } from "../decisions.js";

type Method = keyof ProcessCapabilityChecker;
interface Question { method: Method; args: unknown[]; answered: Int32Array }
type Answer = { value: unknown } | { error: unknown };

/** On the host's thread: answers the questions arriving on `port` with `checker`. */
export function answerChecks(port: MessagePort, checker: ProcessCapabilityChecker): void {
  port.on("message", ({ method, args, answered }: Question) => {
    let answer: Answer;
    try {
      answer = { value: (checker[method] as (...a: unknown[]) => unknown).apply(checker, args) };
    } catch (error) {
      answer = { error };
    }
    port.postMessage(answer);
    Atomics.store(answered, 0, 1);
    Atomics.notify(answered, 0);
  });
  // Only a guest's spawn can ask: it must not keep the host alive by itself.
  port.unref();
}

/** In the guest's thread: a checker that asks the host's thread over `port`. */
export function askingChecker(port: MessagePort): ProcessCapabilityChecker {
  const ask = (method: Method, args: unknown[]): unknown => {
    const answered = new Int32Array(new SharedArrayBuffer(4));
    port.postMessage({ method, args, answered } satisfies Question);
    Atomics.wait(answered, 0, 0);
    const answer = receiveMessageOnPort(port)?.message as Answer | undefined;
    if (!answer) throw new Error("host-process: the host's checker gave no answer");
    if ("error" in answer) throw answer.error;
    return answer.value;
  };
  return {
    checkSpawn: (request) => ask("checkSpawn", [request]) as boolean | string,
    checkEnvAccess: () => ask("checkEnvAccess", []) as boolean,
  };
}
