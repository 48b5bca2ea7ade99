import assert from "node:assert/strict";
import { test } from "node:test";
import { parseOptions, UsageError } from "../../lib/cli/args";
import { defineCommand, parseCommandArgs } from "../../lib/cli/command";

const specs = {
  arch: { type: "string", choices: ["resnet18", "vgg19_bn"], required: true, help: "network" },
  seed: { type: "integer", default: 0, min: 0, help: "seed" },
  lr: { type: "number", default: 1e-4, help: "learning rate" },
  band: { type: "string", multiple: true, help: "band" },
  json: { type: "boolean", help: "json" },
} as const;

test("parses typed options, defaults and positionals", () => {
  const { options, positionals } = parseOptions(
    ["a.tab", "--arch", "resnet18", "--seed=3", "--band", "F275W", "--band", "F336W", "b.tab", "--json"],
    specs,
  );
  assert.deepEqual(options, { arch: "resnet18", seed: 3, lr: 1e-4, band: ["F275W", "F336W"], json: true });
  assert.deepEqual(positionals, ["a.tab", "b.tab"]);
});

test("each mistake is a UsageError with one clear message", () => {
  const cases: [string[], RegExp][] = [
    [[], /missing required option --arch/],
    [["--arch", "alexnet"], /--arch must be one of resnet18, vgg19_bn \(got 'alexnet'\)/],
    [["--arch", "resnet18", "--seed", "1.5"], /--seed must be an integer/],
    [["--arch", "resnet18", "--seed", "-1"], /--seed must be >= 0/],
    [["--arch", "resnet18", "--lr", "fast"], /--lr must be a number \(got 'fast'\)/],
    [["--arch", "resnet18", "--lr", ""], /--lr must be a number/],
    [["--arch", "resnet18", "--nope"], /Unknown option '--nope'/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(
      () => parseOptions(argv, specs),
      (e: Error) => e instanceof UsageError && message.test(e.message),
      argv.join(" "),
    );
  }
});

test("a renamed option is read under its new name, with one line saying so; the new name says nothing", () => {
  const command = defineCommand({
    name: "demo",
    summary: "demo",
    renamed: { format: "catalog-format" },
    options: { "catalog-format": { type: "string", choices: ["legus", "csv"], help: "catalog format" } },
    run: async () => undefined,
  });
  for (const argv of [["--format", "legus"], ["--format=legus"], ["--catalog-format", "legus"]]) {
    const lines: string[] = [];
    const { options } = parseCommandArgs(command, argv, (line) => lines.push(line));
    assert.equal(options["catalog-format"], "legus", argv.join(" "));
    assert.deepEqual(
      lines,
      argv[0].startsWith("--format")
        ? ["starcluster demo: --format is now --catalog-format; the old name will go\n"]
        : [],
    );
  }
  assert.throws(
    () => parseCommandArgs(command, ["--format", "fits"], () => undefined),
    /--catalog-format must be one of legus, csv \(got 'fits'\)/,
  );
});
