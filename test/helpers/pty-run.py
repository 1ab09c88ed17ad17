# Runs a command on a new pseudo-terminal (its stdin, stdout and stderr) and
# plays the keyboard: each time the terminal shows `PROMPT <way>`, it types
# `typed-<way>` and Enter. Prints everything the terminal showed as JSON.
#   python3 pty-run.py <command> [args...]
import json, os, pty, re, select, sys

pid, master = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
shown = b""
answered = 0
while True:
    ready, _, _ = select.select([master], [], [], 30)
    if not ready:
        break
    try:
        data = os.read(master, 4096)
    except OSError:
        break
    if not data:
        break
    shown += data
    prompts = re.findall(rb"PROMPT (\w+)", shown)
    for way in prompts[answered:]:
        os.write(master, b"typed-" + way + b"\n")
    answered = len(prompts)
os.waitpid(pid, 0)
print(json.dumps(shown.decode("utf-8", "replace")))
