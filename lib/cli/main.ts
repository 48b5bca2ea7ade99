// The `starcluster` command line: finds the subcommand, parses its options, runs it, maps errors to exit codes.
//   exit 0: success; 1: the command failed (bad data, I/O); 2: wrong usage (unknown command or option, bad value).
import { BACKENDS } from "../backend/select";
import { describeError, SettingNeeded } from "../util/errors";
import { gitState } from "../util/provenance";
import { softwareVersion } from "../util/version";
import { UsageError } from "./args";
import { Command, parseCommandArgs, usage } from "./command";
import { commands } from "./commands";

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`);
  return [
    "usage: starcluster <command> [options]",
    "",
    "Star-cluster classification with dual-backbone CNNs (Wei et al. 2020), in TypeScript.",
    "",
    "commands:",
    ...lines,
    "",
    "Run 'starcluster <command> --help' for a command's options.",
    "'starcluster --version' prints the version and the checkout's commit.",
    `Environment: STARCLUSTER_BACKEND=${["auto", ...BACKENDS].join("|")} (auto: the first that loads, in that order), STARCLUSTER_THREADS=N.`,
  ].join("\n");
}

/** The command whose (possibly multi-word) name matches the most leading words of argv. */
function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of commands) {
    const words = command.name.split(" ");
    if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.command.name.split(" ").length)) {
      best = { command, rest: argv.slice(words.length) };
    }
  }
  return best;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    process.stdout.write(overview() + "\n");
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === "--version" || argv[0] === "-V") {
    const git = gitState();
    process.stdout.write(`${softwareVersion()} (commit ${git.commit}${git.dirty ? ", modified" : ""})\n`);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = commands.filter((c) => c.name.startsWith(argv[0] + " "));
    const hint = group.length
      ? `; '${argv[0]}' takes: ${group.map((c) => c.name.split(" ").slice(1).join(" ")).join(", ")}`
      : "";
    process.stderr.write(
      `starcluster: unknown command '${argv.join(" ")}'${hint}\nRun 'starcluster --help' for the list.\n`,
    );
    return 2;
  }
  const { command, rest } = found;
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(usage(command));
    return 0;
  }
  try {
    const parsed = parseCommandArgs(command, rest);
    return (await command.run(parsed)) ?? 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`starcluster ${command.name}: ${e.message}\n\n${usage(command)}`);
      return 2;
    }
    if (e instanceof SettingNeeded) {
      process.stderr.write(`starcluster ${command.name}: ${e.message}; pass --${e.option}\n\n${usage(command)}`);
      return 2;
    }
    const err = e as Error;
    process.stderr.write(`starcluster ${command.name}: error: ${describeError(err)}\n`);
    if (process.env.STARCLUSTER_DEBUG) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}
