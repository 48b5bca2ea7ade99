// Figures and tables, for the public surface (lib/index.ts: `sc.plot`); code inside lib imports the files
// themselves.
export * from "./plotly"; // show(fig), showHtml(html) in notebooks; Figure
export * from "./render"; // saving figures as PNG, PDF, SVG, HTML (saveFigureFiles)
export * from "./tables"; // HTML tables
export * from "./colours"; // one colour per class and network
export * from "./stamps"; // stamp galleries (five bands and RGB)
export * from "./experiments"; // the paper's figures from plain data
export * from "./report"; // what the experiment notebooks show: *Report(profile), saveFigure, describeProfile
export * from "./classify"; // a classified field
