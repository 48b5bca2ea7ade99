// The backends the model tests run on: STARCLUSTER_BACKEND alone when it is set, else wasm and, where it is built,
// onednn. All are initialised in one process and switched per test, so the PyTorch goldens are made once.
import { before, test, TestContext } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { BackendChoice, initBackend } from "../../lib/backend/select";
import { onednnSkip } from "../backend/kernel-check";

export const MODEL_BACKENDS: string[] = process.env.STARCLUSTER_BACKEND
  ? [process.env.STARCLUSTER_BACKEND]
  : ["wasm", ...(onednnSkip() === false ? ["onednn"] : [])];

/** Registers a before() hook that initialises every model-test backend. */
export function initModelBackends(): void {
  before(async () => {
    for (const backend of MODEL_BACKENDS) await initBackend({ backend: backend as BackendChoice, log: () => {} });
  });
}

/** One test per backend, named "<name> [<backend>]", run with that backend active. */
export function backendTest(name: string, fn: (t: TestContext) => void | Promise<void>): void {
  for (const backend of MODEL_BACKENDS) {
    test(`${name} [${backend}]`, async (t) => {
      await tf.setBackend(backend);
      await fn(t);
    });
  }
}
