;; The benchmark's thin guest: hand-written WebAssembly text, no language
;; runtime, so what it measures is the host's own overhead.
;;
;;   thin.wasm read <bytes> <chunk>   spawn `head -c <bytes> /dev/zero`, read its
;;                                   stdout with blocking-read(<chunk>) to the end
;;   thin.wasm spawn <n>             spawn `true` (no pipes), wait, drop; n times
;;
;; It prints one line, `RESULT {"bytes":…,"reads":…,"ns":…}` or
;; `RESULT {"n":…,"ns":…}`, timed with wasi:clocks/monotonic-clock from just
;; before the first spawn to just after the last wait.
;;
;; The imports follow the canonical ABI by hand: strings and lists are
;; (pointer, length) pairs in this memory, `spawn-options` is flattened into
;; its ten fields, results that do not fit one core value are written to a
;; return area whose address is the last parameter, and lists the host returns
;; are allocated through `cabi_realloc` (a bump allocator, reset before each read).
;;
;; Lines marked `;;@stdin-from` belong to spawn-options' `stdin-from` field
;; (pipelines); bench/guests.ts drops them when wit/ does not have that field.
(module
  (import "host:process/process@0.1.0" "spawn"
    ;; command (ptr, len); options: args (ptr, len), cwd (is-some, ptr, len),
    ;; env (ptr, len), stdin, stdout, stderr (enum stdio), stdin-from
    ;; (is-some, input-stream); return area
    (func $spawn
      (param i32 i32  i32 i32  i32 i32 i32  i32 i32  i32 i32 i32)
      (param i32 i32) ;;@stdin-from
      (param i32)))
  (import "host:process/process@0.1.0" "[method]child.take-stdout" (func $take_stdout (param i32 i32)))
  (import "host:process/process@0.1.0" "[method]child.wait" (func $wait (param i32 i32)))
  (import "host:process/process@0.1.0" "[resource-drop]child" (func $drop_child (param i32)))
  (import "wasi:io/streams@0.2.12" "[method]input-stream.blocking-read" (func $blocking_read (param i32 i64 i32)))
  (import "wasi:io/streams@0.2.12" "[resource-drop]input-stream" (func $drop_input (param i32)))
  (import "wasi:io/streams@0.2.12" "[method]output-stream.blocking-write-and-flush" (func $write_and_flush (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.12" "[resource-drop]output-stream" (func $drop_output (param i32)))
  (import "wasi:cli/stdout@0.2.12" "get-stdout" (func $get_stdout (result i32)))
  (import "wasi:cli/environment@0.2.12" "get-arguments" (func $get_arguments (param i32)))
  (import "wasi:clocks/monotonic-clock@0.2.12" "now" (func $now (result i64)))

  ;; Layout: constants below 256; the `args` list for spawn at 256; the return
  ;; area at 512; digits scratch up to 640; the output line at 1024..4095;
  ;; the heap (cabi_realloc) from 65536, growing as needed.
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 65536))
  (global $base (mut i32) (i32.const 65536))
  (global $argv (mut i32) (i32.const 0))
  (global $argc (mut i32) (i32.const 0))
  (global $out_len (mut i32) (i32.const 0))

  (data (i32.const 16) "head")
  (data (i32.const 24) "-c")
  (data (i32.const 32) "/dev/zero")
  (data (i32.const 48) "true")
  (data (i32.const 64) "RESULT {\"bytes\":")
  (data (i32.const 96) ",\"reads\":")
  (data (i32.const 112) ",\"ns\":")
  (data (i32.const 128) "}\n")
  (data (i32.const 144) "RESULT {\"n\":")
  (data (i32.const 160) "ERROR ")
  (data (i32.const 176) "usage: thin.wasm read <bytes> <chunk> | spawn <n>\n")

  (global $RET i32 (i32.const 512))
  (global $STDIO_PIPED i32 (i32.const 1))
  (global $STDIO_NULL i32 (i32.const 2))

  ;; The canonical ABI's allocator: bump allocation, growing the memory.
  (func $cabi_realloc (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32) (result i32)
    (local $ptr i32) (local $end i32) (local $have i32)
    (local.set $ptr
      (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
               (i32.sub (i32.const 0) (local.get $align))))
    (local.set $end (i32.add (local.get $ptr) (local.get $new_size)))
    (local.set $have (i32.shl (memory.size) (i32.const 16)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq (memory.grow (i32.shr_u (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 65535))
                                            (i32.const 16)))
                    (i32.const -1))
          (then unreachable))))
    (global.set $heap (local.get $end))
    (if (local.get $old)
      (then (memory.copy (local.get $ptr) (local.get $old)
                         (select (local.get $old_size) (local.get $new_size)
                                 (i32.lt_u (local.get $old_size) (local.get $new_size))))))
    (local.get $ptr))

  ;; Argument i (0 is the program name) as (pointer, length).
  (func $arg_ptr (param $i i32) (result i32)
    (if (i32.ge_u (local.get $i) (global.get $argc)) (then unreachable))
    (i32.load (i32.add (global.get $argv) (i32.shl (local.get $i) (i32.const 3)))))
  (func $arg_len (param $i i32) (result i32)
    (if (i32.ge_u (local.get $i) (global.get $argc)) (then unreachable))
    (i32.load offset=4 (i32.add (global.get $argv) (i32.shl (local.get $i) (i32.const 3)))))

  ;; A decimal argument.
  (func $parse (param $ptr i32) (param $len i32) (result i64)
    (local $value i64) (local $end i32)
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
        (local.set $value
          (i64.add (i64.mul (local.get $value) (i64.const 10))
                   (i64.extend_i32_u (i32.sub (i32.load8_u (local.get $ptr)) (i32.const 48)))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 1)))
        (br $next)))
    (local.get $value))

  ;; The output line.
  (func $append (param $ptr i32) (param $len i32)
    (memory.copy (i32.add (i32.const 1024) (global.get $out_len)) (local.get $ptr) (local.get $len))
    (global.set $out_len (i32.add (global.get $out_len) (local.get $len))))
  (func $append_u64 (param $value i64)
    (local $p i32)
    (local.set $p (i32.const 640))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i64.store8 (local.get $p) (i64.add (i64.const 48) (i64.rem_u (local.get $value) (i64.const 10))))
      (local.set $value (i64.div_u (local.get $value) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $value) (i64.const 0))))
    (call $append (local.get $p) (i32.sub (i32.const 640) (local.get $p))))
  ;; Writes the line to stdout; 0 on success (the run's result).
  (func $flush (result i32)
    (local $stdout i32)
    (local.set $stdout (call $get_stdout))
    (call $write_and_flush (local.get $stdout) (i32.const 1024) (global.get $out_len) (global.get $RET))
    (call $drop_output (local.get $stdout))
    (global.set $out_len (i32.const 0))
    (i32.load8_u (global.get $RET)))

  ;; result<_, error> in the return area was `err`: print `ERROR <message>` and trap.
  ;; (error = { code: u8 @4, message: string @8 }).
  (func $fail_if_err
    (if (i32.load8_u (global.get $RET))
      (then
        (call $append (i32.const 160) (i32.const 6))
        (call $append (i32.load offset=8 (global.get $RET)) (i32.load offset=12 (global.get $RET)))
        (call $append (i32.const 129) (i32.const 1))
        (drop (call $flush))
        (unreachable))))

  ;; spawn(command, { args, cwd: none, env: [], stdin: null, stdout, stderr: null, stdin-from: none }) -> child
  (func $spawn_child (param $cmd i32) (param $cmd_len i32) (param $args i32) (param $nargs i32) (param $stdout i32) (result i32)
    (call $spawn
      (local.get $cmd) (local.get $cmd_len)
      (local.get $args) (local.get $nargs)
      (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 0) (i32.const 0)
      (global.get $STDIO_NULL) (local.get $stdout) (global.get $STDIO_NULL)
      (i32.const 0) (i32.const 0) ;;@stdin-from: none
      (global.get $RET))
    (call $fail_if_err)
    (i32.load offset=4 (global.get $RET)))

  ;; wait() must be ok with exit code 0 (exit-status = { code: option<s32> @4/@8, signal @12 }).
  (func $wait_success (param $child i32)
    (call $wait (local.get $child) (global.get $RET))
    (call $fail_if_err)
    (if (i32.or (i32.eqz (i32.load8_u offset=4 (global.get $RET)))
                (i32.load offset=8 (global.get $RET)))
      (then unreachable)))

  (func $read (result i32)
    (local $child i32) (local $stream i32) (local $chunk i64)
    (local $bytes i64) (local $reads i64) (local $start i64) (local $elapsed i64)
    ;; args = ["-c", <bytes>, "/dev/zero"]
    (i32.store (i32.const 256) (i32.const 24))
    (i32.store (i32.const 260) (i32.const 2))
    (i32.store (i32.const 264) (call $arg_ptr (i32.const 2)))
    (i32.store (i32.const 268) (call $arg_len (i32.const 2)))
    (i32.store (i32.const 272) (i32.const 32))
    (i32.store (i32.const 276) (i32.const 9))
    (local.set $chunk (call $parse (call $arg_ptr (i32.const 3)) (call $arg_len (i32.const 3))))
    (local.set $start (call $now))
    (local.set $child (call $spawn_child (i32.const 16) (i32.const 4) (i32.const 256) (i32.const 3) (global.get $STDIO_PIPED)))
    ;; option<input-stream>: is-some @0, handle @4
    (call $take_stdout (local.get $child) (global.get $RET))
    (if (i32.eqz (i32.load8_u (global.get $RET))) (then unreachable))
    (local.set $stream (i32.load offset=4 (global.get $RET)))
    (block $closed
      (loop $next
        (global.set $heap (global.get $base))
        ;; result<list<u8>, stream-error>: is-err @0; ok: ptr @4, len @8; err: closed = case 1 @4
        (call $blocking_read (local.get $stream) (local.get $chunk) (global.get $RET))
        (if (i32.load8_u (global.get $RET))
          (then
            (br_if $closed (i32.eq (i32.load8_u offset=4 (global.get $RET)) (i32.const 1)))
            (unreachable)))
        (local.set $bytes (i64.add (local.get $bytes) (i64.extend_i32_u (i32.load offset=8 (global.get $RET)))))
        (local.set $reads (i64.add (local.get $reads) (i64.const 1)))
        (br $next)))
    (call $drop_input (local.get $stream))
    (call $wait_success (local.get $child))
    (local.set $elapsed (i64.sub (call $now) (local.get $start)))
    (call $drop_child (local.get $child))
    (call $append (i32.const 64) (i32.const 16))
    (call $append_u64 (local.get $bytes))
    (call $append (i32.const 96) (i32.const 9))
    (call $append_u64 (local.get $reads))
    (call $append (i32.const 112) (i32.const 6))
    (call $append_u64 (local.get $elapsed))
    (call $append (i32.const 128) (i32.const 2))
    (call $flush))

  (func $spawn_loop (result i32)
    (local $n i64) (local $i i64) (local $child i32) (local $start i64) (local $elapsed i64)
    (local.set $n (call $parse (call $arg_ptr (i32.const 2)) (call $arg_len (i32.const 2))))
    (local.set $start (call $now))
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $child (call $spawn_child (i32.const 48) (i32.const 4) (i32.const 0) (i32.const 0) (global.get $STDIO_NULL)))
        (call $wait_success (local.get $child))
        (call $drop_child (local.get $child))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.set $elapsed (i64.sub (call $now) (local.get $start)))
    (call $append (i32.const 144) (i32.const 12))
    (call $append_u64 (local.get $n))
    (call $append (i32.const 112) (i32.const 6))
    (call $append_u64 (local.get $elapsed))
    (call $append (i32.const 128) (i32.const 2))
    (call $flush))

  (func $usage (result i32)
    (call $append (i32.const 176) (i32.const 50))
    (drop (call $flush))
    (i32.const 1))

  ;; wasi:cli/run: result<_, _> is one i32, 0 for ok.
  (func (export "wasi:cli/run@0.2.12#run") (result i32)
    (local $scenario i32)
    ;; list<string>: ptr @0, len @4; each element (ptr, len)
    (call $get_arguments (global.get $RET))
    (global.set $argv (i32.load (global.get $RET)))
    (global.set $argc (i32.load offset=4 (global.get $RET)))
    ;; The arguments stay where they are; later allocations start after them.
    (global.set $base (global.get $heap))
    (if (i32.lt_u (global.get $argc) (i32.const 3)) (then (return (call $usage))))
    (local.set $scenario (i32.load8_u (call $arg_ptr (i32.const 1))))
    (if (i32.eq (local.get $scenario) (i32.const 114)) (then (return (call $read))))       ;; "read"
    (if (i32.eq (local.get $scenario) (i32.const 115)) (then (return (call $spawn_loop)))) ;; "spawn"
    (call $usage))
)
