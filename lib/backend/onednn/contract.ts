// The contract between the JS kernels and the oneDNN addon, by name. Sizes cross N-API as typed arrays laid out as
// the structs of native/onednn/contract.h; here each layout is the same list of field names, the arrays are packed
// by name (pack), and the addon's own lists (its exports.layouts) must equal these when it loads, or the addon is
// refused as stale (contractMismatch). Op numbers are not kept here at all: the kernels read them from the addon's
// name -> number tables (exports.ops), which must hold every name in OPS.

/** Field names of each struct, in native/onednn/contract.h's order (SC_CONV_SHAPE, SC_POOL_SHAPE, ...). */
export const LAYOUTS = {
  conv: ["n", "h", "w", "ci", "kh", "kw", "co", "oh", "ow", "sh", "sw", "dh", "dw", "pt", "pb", "pl", "pr"],
  pool: ["n", "h", "w", "c", "kh", "kw", "oh", "ow", "sh", "sw", "dh", "dw", "pt", "pl"],
  matMul: ["batch", "m", "n", "k", "trans_a", "trans_b", "a_batched", "b_batched"],
  reduce: ["outer", "length", "inner"],
  adam: ["beta1", "one_minus_beta1", "beta2", "one_minus_beta2", "bc2_sqrt", "eps", "step_size"],
} as const;
export type LayoutName = keyof typeof LAYOUTS;
/** One value per field of a layout, by name. */
export type Fields<L extends LayoutName> = Record<(typeof LAYOUTS)[L][number], number>;

/** The op names the kernels use (SC_BINARY_OPS, SC_UNARY_OPS, SC_REDUCE_OPS); their numbers are the addon's. */
export const OPS = {
  binary: ["Add", "Sub", "Mul", "Div", "SquaredDifference", "Maximum", "ReluGrad"],
  unary: ["Relu", "Step", "Neg", "Square", "Sqrt", "Rsqrt", "Exp", "Log", "Abs", "Reciprocal"],
  reduce: ["Sum", "Mean", "Max"],
} as const;
export type BinaryOp = (typeof OPS.binary)[number];
export type UnaryOp = (typeof OPS.unary)[number];
export type ReduceOp = (typeof OPS.reduce)[number];

/** What the addon exports of the contract. */
export interface AddonContract {
  layouts: { readonly [L in LayoutName]: readonly string[] };
  ops: {
    readonly binary: Readonly<Record<BinaryOp, number>>;
    readonly unary: Readonly<Record<UnaryOp, number>>;
    readonly reduce: Readonly<Record<ReduceOp, number>>;
  };
}

/** Adam's scalars are float32 (SC_ADAM_SCALARS), every other layout int32. */
const FLOAT_LAYOUTS: ReadonlySet<LayoutName> = new Set(["adam"]);

/** The typed array of one layout, every field given by name. A missing or non-finite value throws. */
export function pack(layout: "adam", fields: Fields<"adam">): Float32Array;
export function pack<L extends Exclude<LayoutName, "adam">>(layout: L, fields: Fields<L>): Int32Array;
export function pack<L extends LayoutName>(layout: L, fields: Fields<L>): Int32Array | Float32Array {
  const names = LAYOUTS[layout] as readonly (typeof LAYOUTS)[L][number][];
  const out = FLOAT_LAYOUTS.has(layout) ? new Float32Array(names.length) : new Int32Array(names.length);
  for (let i = 0; i < names.length; i++) {
    const v = fields[names[i]];
    if (!Number.isFinite(v)) throw new Error(`onednn ${layout} layout: field ${names[i]} is ${v}`);
    out[i] = v;
  }
  return out;
}

const REBUILD = "rebuild it: bash scripts/build-native.sh";

/**
 * Why this addon's contract differs from this build's (one phrase, naming the first difference), or undefined when
 * it matches. An addon built from an older native/ (a stale build/native/) is the usual cause.
 */
export function contractMismatch(addon: Partial<AddonContract>): string | undefined {
  const stale = (what: string) => `onednn addon is stale: ${what}; ${REBUILD}`;
  if (!addon.layouts || !addon.ops) return stale("it exports no layouts and ops (built before the named contract)");
  for (const name of Object.keys(LAYOUTS) as LayoutName[]) {
    const ours: readonly string[] = LAYOUTS[name],
      theirs = addon.layouts[name];
    if (!theirs) return stale(`it has no ${name} layout`);
    if (theirs.join(",") !== ours.join(","))
      return stale(`its ${name} layout is [${theirs.join(", ")}], this build packs [${ours.join(", ")}]`);
  }
  for (const kind of Object.keys(OPS) as (keyof typeof OPS)[]) {
    const table = addon.ops[kind] as Record<string, number> | undefined;
    const missing = (OPS[kind] as readonly string[]).filter((op) => !Number.isInteger(table?.[op]));
    if (missing.length) return stale(`its ${kind} ops lack ${missing.join(", ")}`);
  }
  return undefined;
}
