// What a subcommand is: a name (one or more words), a one-line summary, its options, and a run function.
import { describeOptions, OptionSpecs, parseOptions, ParsedArgs, UsageError } from "./args";

export interface Command<S extends OptionSpecs = OptionSpecs> {
  /** Words typed after `starcluster`, e.g. "backend" or "fits info". */
  name: string;
  summary: string;
  /** Positional arguments as shown in usage, e.g. "FILE..."; empty when none. */
  args?: string;
  /** Allowed number of positionals [min, max]; default [0, 0]. */
  positionals?: [number, number];
  options: S;
  /** Old option names still accepted, each with the name it now has (a line on stderr says so when used). */
  renamed?: Record<string, string>;
  // biome-ignore lint/suspicious/noConfusingVoidType: a command that returns nothing exits with 0
  run(parsed: ParsedArgs<S>): Promise<number | void>;
}

/** Declares a command with its option types inferred from the specs. */
export function defineCommand<const S extends OptionSpecs>(command: Command<S>): Command<S> {
  return command;
}

export function usage(command: Command): string {
  const head = `usage: starcluster ${command.name}${command.args ? " " + command.args : ""}${Object.keys(command.options).length ? " [options]" : ""}`;
  const opts = describeOptions(command.options);
  return `${head}\n\n${command.summary}\n${opts ? "\noptions:\n" + opts + "\n" : ""}`;
}

/** argv with the command's renamed options under their new names (--old V, --old=V), a line to `warn` for each. */
function withNewNames(command: Command, argv: string[], warn: (line: string) => void): string[] {
  const renamed = command.renamed ?? {};
  return argv.map((arg) => {
    const [name, value] = arg.startsWith("--") ? arg.slice(2).split(/=(.*)/s) : [];
    const now = name === undefined ? undefined : renamed[name];
    if (now === undefined) return arg;
    warn(`starcluster ${command.name}: --${name} is now --${now}; the old name will go\n`);
    return value === undefined ? `--${now}` : `--${now}=${value}`;
  });
}

/** Parses argv for this command (renamed options under their new names), checking the number of positionals. */
export function parseCommandArgs<S extends OptionSpecs>(
  command: Command<S>,
  argv: string[],
  warn: (line: string) => void = (line) => process.stderr.write(line),
): ParsedArgs<S> {
  const parsed = parseOptions(withNewNames(command, argv, warn), command.options);
  const [min, max] = command.positionals ?? [0, 0];
  const n = parsed.positionals.length;
  if (n < min) throw new UsageError(`expected ${command.args ?? "arguments"}`);
  if (n > max) throw new UsageError(`unexpected argument '${parsed.positionals[max]}'`);
  return parsed;
}
