// A worker thread of synthesizeInWorkers (synth.ts): renders each field plan it is sent, writes the field's
// mosaics as FITS files, its catalog and truth table, and reports rows rendered and the field written.
import { parentPort, workerData } from "node:worker_threads";
import { FieldPlan } from "./field";
import { SynthWorkerData, SynthWorkerMessage, writeField, writeMosaicFits } from "./synth";

const { out, scale, seed, config } = workerData as SynthWorkerData;
const port = parentPort!;

port.on("message", (plan: FieldPlan) => {
  const report = (m: SynthWorkerMessage) => port.postMessage(m);
  const progress = {
    update: (done: number, label: string) => report({ kind: "rows", done, label }),
    finish: () => undefined,
  };
  const options = { out, scale, seed, writeImage: writeMosaicFits };
  const written = writeField(plan, config, options, { before: 0 }, progress);
  report({ kind: "written", written });
});
