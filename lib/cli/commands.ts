// Every subcommand of `starcluster`, in the order `--help` lists them. New commands register here, and only here.
import type { Command } from "./command";
import { backendCommand } from "./commands/backend";
import { catalogSummaryCommand } from "./commands/catalog";
import { classifyCommand } from "./commands/classify";
import { curateCommand } from "./commands/curate";
import { fitsCutoutCommand, fitsInfoCommand, fitsWcsCommand } from "./commands/fits";
import { kernelInstallCommand, kernelListCommand, kernelRemoveCommand } from "./commands/kernel";
import { labCommand } from "./commands/lab";
import { notebooksCommand } from "./commands/notebooks";
import { synthCommand } from "./commands/synth";
import { trainCommand, trainSeedsCommand } from "./commands/train";
import { evaluateCommand } from "./commands/evaluate";
import { reproduceCommand } from "./commands/reproduce";
import { weightsImportCommand } from "./commands/weights";

export const commands = [
  backendCommand,
  catalogSummaryCommand,
  fitsInfoCommand,
  fitsCutoutCommand,
  fitsWcsCommand,
  synthCommand,
  curateCommand,
  weightsImportCommand,
  trainCommand,
  trainSeedsCommand,
  evaluateCommand,
  reproduceCommand,
  classifyCommand,
  notebooksCommand,
  labCommand,
  kernelInstallCommand,
  kernelListCommand,
  kernelRemoveCommand,
] as Command[];
