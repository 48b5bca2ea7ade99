// Celestial WCS, modelled on astropy.wcs (WCSLIB): hduWcs(hdu) / headerWcs(header) -> Wcs with pixelToSky() and
// skyToPixel() in 1-based FITS pixels; projections TAN, SIN, STG, ARC, ZEA, CAR, MER, CEA, SFL, AIT; SIP distortion.
export * from "./wcs";
export * from "./parse";
export { SUPPORTED_PROJECTIONS } from "./projections";
export type { Sip } from "./sip";
