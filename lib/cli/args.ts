// Option parsing for subcommands: node's util.parseArgs plus types, choices and required options.
// Every mistake becomes a UsageError, which the CLI reports with the command's usage and exit code 2.
import { parseArgs } from "node:util";

export class UsageError extends Error {}

export type OptionSpec =
  | {
      type: "string";
      help: string;
      default?: string;
      choices?: readonly string[];
      required?: boolean;
      short?: string;
      multiple?: boolean;
    }
  | {
      type: "number" | "integer";
      help: string;
      default?: number;
      min?: number;
      max?: number;
      required?: boolean;
      short?: string;
    }
  | { type: "boolean"; help: string; short?: string };

export type OptionSpecs = Record<string, OptionSpec>;

/** The parsed value type of each option spec. */
export type OptionValues<S extends OptionSpecs> = {
  [K in keyof S]: S[K] extends { type: "boolean" }
    ? boolean
    : S[K] extends { type: "number" | "integer" }
      ? S[K] extends { default: number } | { required: true }
        ? number
        : number | undefined
      : S[K] extends { multiple: true }
        ? string[]
        : S[K] extends { default: string } | { required: true }
          ? StringValue<S[K]>
          : StringValue<S[K]> | undefined;
};

/** A string option's value: one of its choices when it has them. */
type StringValue<S> = S extends { choices: readonly (infer C extends string)[] } ? C : string;

export interface ParsedArgs<S extends OptionSpecs> {
  options: OptionValues<S>;
  positionals: string[];
}

/** util.parseArgs takes "-1" after "--seed" for an option: glue negative numbers to their option instead. */
function glueNegativeNumbers(argv: string[], specs: OptionSpecs): string[] {
  return argv.flatMap((arg, i) => {
    const name = arg.startsWith("--") ? arg.slice(2) : undefined;
    const next = argv[i + 1];
    if (name && specs[name] && specs[name].type !== "boolean" && next !== undefined && /^-\d|^-\.\d/.test(next))
      return [`${arg}=${next}`];
    if (
      i > 0 &&
      /^-\d|^-\.\d/.test(arg) &&
      argv[i - 1].startsWith("--") &&
      specs[argv[i - 1].slice(2)]?.type !== "boolean"
    )
      return [];
    return [arg];
  });
}

/** Parses argv against the specs; unknown options, bad numbers, bad choices and missing options throw UsageError. */
export function parseOptions<S extends OptionSpecs>(argv: string[], specs: S): ParsedArgs<S> {
  const config: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(specs)) {
    config[name] = { type: spec.type === "boolean" ? "boolean" : "string" };
    if (spec.short) config[name].short = spec.short;
    if (spec.type === "string" && spec.multiple) config[name].multiple = true;
  }
  const args = glueNegativeNumbers(argv, specs);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: config, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
  }
  const raw = parsed.values as Record<string, string | string[] | boolean | undefined>;
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = raw[name];
    if (spec.type === "boolean") {
      out[name] = value === true;
      continue;
    }
    if (value === undefined) {
      if ("required" in spec && spec.required) throw new UsageError(`missing required option --${name}`);
      out[name] = spec.type === "string" && spec.multiple ? [] : spec.default;
      continue;
    }
    if (spec.type === "string") {
      const values = Array.isArray(value) ? value : [value as string];
      for (const v of values) {
        if (spec.choices && !spec.choices.includes(v)) {
          throw new UsageError(`--${name} must be one of ${spec.choices.join(", ")} (got '${v}')`);
        }
      }
      out[name] = spec.multiple ? values : values[0];
      continue;
    }
    const text = value as string;
    const num = Number(text);
    if (text.trim() === "" || !Number.isFinite(num)) throw new UsageError(`--${name} must be a number (got '${text}')`);
    if (spec.type === "integer" && !Number.isInteger(num))
      throw new UsageError(`--${name} must be an integer (got '${text}')`);
    if (spec.min !== undefined && num < spec.min) throw new UsageError(`--${name} must be >= ${spec.min} (got ${num})`);
    if (spec.max !== undefined && num > spec.max) throw new UsageError(`--${name} must be <= ${spec.max} (got ${num})`);
    out[name] = num;
  }
  return { options: out as OptionValues<S>, positionals: parsed.positionals };
}

/** One help line per option, for a command's usage text. */
export function describeOptions(specs: OptionSpecs): string {
  const lines = Object.entries(specs).map(([name, spec]) => {
    let left = `  --${name}`;
    if (spec.type !== "boolean")
      left +=
        spec.type === "string" && spec.choices
          ? ` ${spec.choices.join("|")}`
          : ` ${spec.type === "string" ? "VALUE" : "N"}`;
    let help = spec.help;
    if ("default" in spec && spec.default !== undefined) help += ` (default: ${spec.default})`;
    if ("required" in spec && spec.required) help += " (required)";
    return left.padEnd(34) + " " + help;
  });
  return lines.join("\n");
}
