// The library's public surface, for notebooks (`import * as sc from "../dist/lib"`) and for other programs.
export * as backend from "./backend/select";
export * as selfcheck from "./backend/selfcheck";
export * as plot from "./plot/plotly";
export * as notebooks from "./notebooks/run";
export * as paths from "./util/paths";
export * as stamps from "./plot/stamps";
export * as tables from "./plot/tables";
export * as catalog from "./catalog/read";
export * as summary from "./catalog/summary";
export * as fields from "./catalog/fields";
export * as simulate from "./simulate/gallery";
export * as metrics from "./evaluate/metrics";
export * as figures from "./plot/experiments";
export * as experiments from "./experiments/results";
export * as paper from "./experiments/paper";
export * as report from "./experiments/report";
export * as human from "./experiments/human";
