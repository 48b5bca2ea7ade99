// One set of colours for every figure, so a class, a network or "right/wrong" looks the same in all of them.
// Classes use the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies and in greyscale
// print by lightness order); right and wrong use colours no class uses.

/** The paper's four classes, 1..4, as figures name them. */
export const CLASS_NAMES = ["symmetric", "asymmetric", "association", "not a cluster"] as const;

/** Class c (1-based) is CLASS_COLOURS[c - 1]: blue, orange, bluish green, reddish purple. */
export const CLASS_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"] as const;

/** "class 1 symmetric" for class index 0. */
export const classLabel = (index: number) => `class ${index + 1} ${CLASS_NAMES[index]}`;

/** Right and wrong predictions (entropy, mutual information): a neutral dark grey and vermillion. */
export const RIGHT_COLOUR = "#4D4D4D";
export const WRONG_COLOUR = "#D55E00";

/** The two networks, in colours that are not class colours (Tol's muted teal and wine). */
export const NETWORK_COLOURS: Record<string, string> = {
  ResNet18: "#44AA99",
  "VGG19-BN": "#882255",
  resnet18: "#44AA99",
  vgg19_bn: "#882255",
};

/** Colours for lines that only need telling apart (seeds): Tol's bright palette. */
export const SERIES_COLOURS = [
  "#4477AA",
  "#EE6677",
  "#228833",
  "#CCBB44",
  "#66CCEE",
  "#AA3377",
  "#BBBBBB",
  "#000000",
  "#994F00",
  "#006CD1",
];

/** A network's colour, or a series colour for anything else. */
export function networkColour(name: string, index: number): string {
  return NETWORK_COLOURS[name] ?? SERIES_COLOURS[index % SERIES_COLOURS.length];
}
