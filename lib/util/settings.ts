// The library's settings from the environment: every STARCLUSTER_* variable is read here, at the moment it is
// needed (tests and notebooks change them between calls), and handed to the code that uses it as a value.
// Values that can be wrong are returned as given and checked where they are used, so that a bad one fails the
// command that needs it and names its variable (the backend's: lib/backend/select.ts). STARCLUSTER_DEBUG is read by
// the CLI's error handler.

export interface Settings {
  /** STARCLUSTER_RESULTS: the results folder (default results/ of the checkout). */
  results?: string;
  /** STARCLUSTER_DATA: where generated data sets and runs go (default data/generated). */
  data?: string;
  /** STARCLUSTER_PROFILE: the reproduction whose results notebooks show (default quick). */
  profile?: string;
  /** STARCLUSTER_SAVE_FIGURES=1: notebooks write their figures into results/<profile>/figures. */
  saveFigures: boolean;
  /** STARCLUSTER_FIGURE_FORMATS: comma-separated file formats of saved figures. */
  figureFormats?: string;
  /** STARCLUSTER_FIGURE_PNG=0: figures shown without a static image. */
  figureStills: boolean;
  /** STARCLUSTER_PYTHON: the Python that runs Jupyter (default /usr/bin/python3). */
  python: string;
  /** STARCLUSTER_CHROMIUM: the browser that renders static figures (default: found on PATH). */
  chromium?: string;
  /** STARCLUSTER_LAB_ROOT: the folder a running Notebook server serves (for plotly.js's location). */
  labRoot?: string;
  /** STARCLUSTER_GUNZIP_MEMORY_MAX: bytes of a .fits.gz decompressed in memory before a temporary file is used. */
  gunzipMemoryMax?: number;
  /** STARCLUSTER_BACKEND: auto or a backend name, as given (lib/backend/select.ts parses it). */
  backend?: string;
  /** STARCLUSTER_THREADS: onednn and wasm threads, as given (lib/backend/select.ts parses it). */
  threads?: string;
  /** STARCLUSTER_ONEDNN_ADDON: the oneDNN addon to load instead of build/native's. */
  onednnAddon?: string;
}

/** The names of the variables, for help texts and for child processes that should see the same settings. */
export const SETTINGS_VARIABLES = {
  results: "STARCLUSTER_RESULTS",
  data: "STARCLUSTER_DATA",
  profile: "STARCLUSTER_PROFILE",
  saveFigures: "STARCLUSTER_SAVE_FIGURES",
  figureFormats: "STARCLUSTER_FIGURE_FORMATS",
  figureStills: "STARCLUSTER_FIGURE_PNG",
  python: "STARCLUSTER_PYTHON",
  chromium: "STARCLUSTER_CHROMIUM",
  labRoot: "STARCLUSTER_LAB_ROOT",
  gunzipMemoryMax: "STARCLUSTER_GUNZIP_MEMORY_MAX",
  backend: "STARCLUSTER_BACKEND",
  threads: "STARCLUSTER_THREADS",
  onednnAddon: "STARCLUSTER_ONEDNN_ADDON",
} as const satisfies Record<keyof Settings, string>;

/** The settings now (from `env`, default this process's environment). */
export function settings(env: NodeJS.ProcessEnv = process.env): Settings {
  const v = SETTINGS_VARIABLES;
  const gunzip = env[v.gunzipMemoryMax];
  const gunzipBytes = gunzip === undefined || gunzip === "" ? Number.NaN : Number(gunzip);
  return {
    results: env[v.results],
    data: env[v.data],
    profile: env[v.profile],
    saveFigures: env[v.saveFigures] === "1",
    figureFormats: env[v.figureFormats],
    figureStills: env[v.figureStills] !== "0",
    python: env[v.python] ?? "/usr/bin/python3",
    chromium: env[v.chromium],
    labRoot: env[v.labRoot],
    gunzipMemoryMax: Number.isFinite(gunzipBytes) && gunzipBytes >= 0 ? gunzipBytes : undefined,
    backend: env[v.backend] || undefined,
    threads: env[v.threads] || undefined,
    onednnAddon: env[v.onednnAddon] || undefined,
  };
}
