;; The peer's thin guest: hand-written WebAssembly text that spawns through
;; jco-std's `jco:node/child-process@0.1.0` (`spawn-sync`) instead of
;; `host:process`, so that jco's own answer is measured as a component too.
;;
;;   thin-jco-std.wasm spawn <n>   spawn-sync("true", [], { stdio: ignore ×3 }) n times
;;
;; It prints `RESULT {"n":…,"ns":…}`, timed with wasi:clocks/monotonic-clock.
;;
;; spawn-sync's parameters do not fit 16 core values, so they are passed as a
;; pointer to a tuple<string, list<string>, spawn-options> in this memory
;; (laid out below by the canonical ABI's rules), and the spawn-output record
;; comes back through a return area.
(module
  (import "jco:node/child-process@0.1.0" "spawn-sync" (func $spawn_sync (param i32 i32)))
  (import "wasi:io/streams@0.2.12" "[method]output-stream.blocking-write-and-flush" (func $write_and_flush (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.12" "[resource-drop]output-stream" (func $drop_output (param i32)))
  (import "wasi:cli/stdout@0.2.12" "get-stdout" (func $get_stdout (result i32)))
  (import "wasi:cli/environment@0.2.12" "get-arguments" (func $get_arguments (param i32)))
  (import "wasi:clocks/monotonic-clock@0.2.12" "now" (func $now (result i64)))

  ;; Layout: constants below 256; the stdio list at 256; the parameter tuple at
  ;; 2048 (128 bytes); the return area at 4096 (spawn-output, < 256 bytes);
  ;; digits scratch up to 640; the output line at 1024; the heap from 65536.
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 65536))
  (global $base (mut i32) (i32.const 65536))
  (global $argv (mut i32) (i32.const 0))
  (global $argc (mut i32) (i32.const 0))
  (global $out_len (mut i32) (i32.const 0))

  (data (i32.const 16) "true")
  (data (i32.const 24) "ignore")
  (data (i32.const 32) "SIGTERM")
  (data (i32.const 144) "RESULT {\"n\":")
  (data (i32.const 112) ",\"ns\":")
  (data (i32.const 128) "}\n")
  (data (i32.const 176) "usage: thin-jco-std.wasm spawn <n>\n")

  (global $PARAMS i32 (i32.const 2048))
  (global $RET i32 (i32.const 4096))

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

  (func $arg_ptr (param $i i32) (result i32)
    (if (i32.ge_u (local.get $i) (global.get $argc)) (then unreachable))
    (i32.load (i32.add (global.get $argv) (i32.shl (local.get $i) (i32.const 3)))))
  (func $arg_len (param $i i32) (result i32)
    (if (i32.ge_u (local.get $i) (global.get $argc)) (then unreachable))
    (i32.load offset=4 (i32.add (global.get $argv) (i32.shl (local.get $i) (i32.const 3)))))

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
  (func $flush (result i32)
    (local $stdout i32)
    (local.set $stdout (call $get_stdout))
    (call $write_and_flush (local.get $stdout) (i32.const 1024) (global.get $out_len) (global.get $RET))
    (call $drop_output (local.get $stdout))
    (global.set $out_len (i32.const 0))
    (i32.load8_u (global.get $RET)))

  ;; The parameters of spawn-sync("true", [], options), written once:
  ;;   tuple @0: command string (ptr @0, len @4), args list<string> (@8, @12),
  ;;   spawn-options @16 (align 8): cwd option<string> @0, cwd-is-url @12,
  ;;   env option<list> @16, input option<list<u8>> @28, timeout u64 @40,
  ;;   kill-signal string @48, max-buffer u64 @56, shell option<string> @64,
  ;;   stdio option<list<string>> @76, windows-hide @88, windows-verbatim @89,
  ;;   uid option<u32> @92, gid option<u32> @100. Unlisted bytes stay 0 (none, false).
  (func $write_params
    (local $options i32)
    ;; stdio = ["ignore", "ignore", "ignore"]
    (i32.store (i32.const 256) (i32.const 24)) (i32.store (i32.const 260) (i32.const 6))
    (i32.store (i32.const 264) (i32.const 24)) (i32.store (i32.const 268) (i32.const 6))
    (i32.store (i32.const 272) (i32.const 24)) (i32.store (i32.const 276) (i32.const 6))
    (memory.fill (global.get $PARAMS) (i32.const 0) (i32.const 128))
    (i32.store offset=0 (global.get $PARAMS) (i32.const 16))
    (i32.store offset=4 (global.get $PARAMS) (i32.const 4))
    (i32.store offset=8 (global.get $PARAMS) (i32.const 0))
    (i32.store offset=12 (global.get $PARAMS) (i32.const 0))
    (local.set $options (i32.add (global.get $PARAMS) (i32.const 16)))
    (i64.store offset=40 (local.get $options) (i64.const 0))
    (i32.store offset=48 (local.get $options) (i32.const 32))
    (i32.store offset=52 (local.get $options) (i32.const 7))
    (i64.store offset=56 (local.get $options) (i64.const 1048576))
    (i32.store8 offset=76 (local.get $options) (i32.const 1))
    (i32.store offset=80 (local.get $options) (i32.const 256))
    (i32.store offset=84 (local.get $options) (i32.const 3)))

  (func $spawn_loop (result i32)
    (local $n i64) (local $i i64) (local $start i64) (local $elapsed i64)
    (local.set $n (call $parse (call $arg_ptr (i32.const 2)) (call $arg_len (i32.const 2))))
    (call $write_params)
    (local.set $start (call $now))
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (global.set $heap (global.get $base))
        (call $spawn_sync (global.get $PARAMS) (global.get $RET))
        ;; spawn-output: status option<s32> @8 (is-some), @12 (value); must be some(0)
        (if (i32.or (i32.eqz (i32.load8_u offset=8 (global.get $RET)))
                    (i32.load offset=12 (global.get $RET)))
          (then unreachable))
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
    (call $append (i32.const 176) (i32.const 35))
    (drop (call $flush))
    (i32.const 1))

  (func (export "wasi:cli/run@0.2.12#run") (result i32)
    (call $get_arguments (global.get $RET))
    (global.set $argv (i32.load (global.get $RET)))
    (global.set $argc (i32.load offset=4 (global.get $RET)))
    (global.set $base (global.get $heap))
    (if (i32.lt_u (global.get $argc) (i32.const 3)) (then (return (call $usage))))
    (if (i32.eq (i32.load8_u (call $arg_ptr (i32.const 1))) (i32.const 115)) (then (return (call $spawn_loop))))
    (call $usage))
)
