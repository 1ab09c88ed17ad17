/**
 * The configuration the host gives every git child, through git's own
 * per-invocation environment (GIT_CONFIG_COUNT/KEY_n/VALUE_n, which outrank
 * every configuration file): hooks and the configuration entries with fixed
 * names that run a command are switched off, so that a file the guest wrote
 * earlier (a hook, `core.fsmonitor` in .git/config) is not obeyed by a later,
 * even argument-pinned, git command. The guest cannot set these variables
 * (GIT_* needs the host to name it), and the host's entries come last, so
 * they win over any it did name.
 *
 * What stays possible (no fixed name to override): aliases, filter, diff and
 * merge drivers, `pager.<command>`, `remote.<name>.uploadpack`/`receivepack`
 * and the like, defined in a repository's configuration the guest can write.
 */

/** [key, value]: each switches off something that runs a program. */
export const GIT_HOST_CONFIG: readonly (readonly [string, string])[] = [
  ["core.hooksPath", "/dev/null"],
  ["core.fsmonitor", "false"],
  ["core.sshCommand", "ssh"],
  ["core.pager", "cat"],
  ["core.editor", "false"],
  ["sequence.editor", "false"],
  ["core.askPass", ""],
  ["credential.helper", ""],
  ["core.alternateRefsCommand", ""],
  ["gpg.program", "gpg"],
  ["gpg.ssh.program", "ssh-keygen"],
  ["gpg.x509.program", "gpgsm"],
  ["commit.gpgSign", "false"],
  ["tag.gpgSign", "false"],
  ["protocol.ext.allow", "never"],
  ["init.templateDir", ""],
];

/** The environment for a child running `program` (basename of its real path): git gets the host's configuration last. */
export function withHostGitConfig(program: string, env: Record<string, string>): Record<string, string> {
  if (program !== "git" && !program.startsWith("git-")) return env;
  const given = Number(env.GIT_CONFIG_COUNT ?? "0");
  const start = Number.isSafeInteger(given) && given > 0 ? given : 0;
  const out = { ...env };
  GIT_HOST_CONFIG.forEach(([key, value], i) => {
    out[`GIT_CONFIG_KEY_${start + i}`] = key;
    out[`GIT_CONFIG_VALUE_${start + i}`] = value;
  });
  out.GIT_CONFIG_COUNT = String(start + GIT_HOST_CONFIG.length);
  return out;
}
