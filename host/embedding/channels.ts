/**
 * The channels between the embedding host's thread and the I/O worker of one
 * instance thread (BroadcastChannels, since the I/O worker is the instance
 * thread's own and no port can be handed to it): control requests to the
 * spawner, and its replies and the guest's stdout and stderr back.
 */

export type ControlRequest = { op: "live"; id: number } | { op: "stop"; id: number; graceMs: number };

export type ControlReply = { op: "live"; id: number; pids: number[] } | { op: "stopped"; id: number };

/** A chunk the guest wrote to its stdout (1) or stderr (2), or the mark that everything before it was sent. */
export type OutputMessage = { op: "output"; fd: 1 | 2; bytes: Uint8Array } | { op: "flushed"; id: number };

export type EventMessage = ControlReply | OutputMessage;

export const controlChannelName = (token: string): string => `host-process:${token}:control`;
export const eventsChannelName = (token: string): string => `host-process:${token}:events`;
