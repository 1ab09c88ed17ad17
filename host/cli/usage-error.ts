/** A mistake on the command line: reported with a pointer to `--help`, exit status 2. */
export class UsageError extends Error {
  /** The command whose help to point at, if any. */
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = "UsageError";
  }
}
