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

/** Parses argv for this command, checking the number of positionals. */
export function parseCommandArgs<S extends OptionSpecs>(command: Command<S>, argv: string[]): ParsedArgs<S> {
  const parsed = parseOptions(argv, command.options);
  const [min, max] = command.positionals ?? [0, 0];
  const n = parsed.positionals.length;
  if (n < min) throw new UsageError(`expected ${command.args ?? "arguments"}`);
  if (n > max) throw new UsageError(`unexpected argument '${parsed.positionals[max]}'`);
  return parsed;
}
