// Errors the command line maps to usage mistakes (exit 2 with usage) rather than to failures of the data.

/**
 * The input cannot be read without a setting only the user can choose (which column holds the class, which pixel
 * convention x and y follow). `option` is the command-line option that gives it, without the dashes.
 */
export class SettingNeeded extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: "no such file or folder",
  EISDIR: "is a folder where a file was expected",
  ENOTDIR: "a part of the path is a file, not a folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EMFILE: "too many open files",
};

/** A system error in words, naming the path when Node knows it (e.g. "out/x.csv: no space left on the device"). */
export function describeError(e: Error): string {
  const { code, path, dest } = e as NodeJS.ErrnoException & { dest?: string };
  const words = code ? SYSTEM_ERRORS[code] : undefined;
  if (!words) return e.message;
  const where = dest ?? path;
  return where ? `${where}: ${words} (${code})` : `${words} (${e.message})`;
}
