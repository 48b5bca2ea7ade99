// Pixel <-> sky through a celestial FITS WCS, in 1-based FITS pixels (astropy's all_pix2world(..., 1) and
// all_world2pix(..., 1)): pixel -> SIP distortion -> linear matrix -> deprojection -> spherical rotation, and back.
import type { Hdu } from "../fits/read";
import type { Header } from "../fits/header";
import { celestialToNative, eulerAngles, Euler, nativeToCelestial } from "./celestial";
import { intermediateToPixel, linearSetup, LinearSetup, pixelToIntermediate } from "./linear";
import { parseWcs, WcsDefinition } from "./parse";
import { sipForward, sipInverse, sipInversePolynomial } from "./sip";

export interface SkyToPixelOptions {
  /**
   * How SIP is inverted: "exact" (default) solves the forward polynomials to rounding, as astropy's all_world2pix
   * does to its tolerance; "polynomial" applies the header's AP/BP fit alone (astropy's sip_foc2pix), which is
   * only as good as that fit.
   */
  sipInverse?: "exact" | "polynomial";
}

export class Wcs {
  private readonly lin: LinearSetup;
  private readonly euler: Euler;

  constructor(readonly definition: WcsDefinition) {
    const d = definition;
    this.lin = linearSetup(d.linear, d.where);
    this.euler = eulerAngles(
      {
        lng0: d.crval[0],
        lat0: d.crval[1],
        lonpole: d.lonpole,
        latpole: d.latpole,
        phi0: 0,
        theta0: d.projection.theta0,
      },
      d.where,
    );
  }

  get where(): string {
    return this.definition.where;
  }

  /** Sky position (RA, Dec in degrees, the header's frame) of a 1-based pixel; NaN outside the projection. */
  pixelToSky(x: number, y: number): [number, number] {
    const sip = this.definition.sip;
    const [fx, fy] = sip ? sipForward(sip, x, y) : [x, y];
    const [ix, iy] = pixelToIntermediate(this.lin, fx, fy);
    const [phi, theta] = this.definition.projection.x2s(ix, iy);
    if (Number.isNaN(phi) || Number.isNaN(theta)) return [NaN, NaN];
    return nativeToCelestial(this.euler, phi, theta);
  }

  /** 1-based pixel of a sky position; NaN where it has no image (e.g. TAN's far hemisphere) or SIP cannot be inverted. */
  skyToPixel(ra: number, dec: number, options: SkyToPixelOptions = {}): [number, number] {
    const [phi, theta] = celestialToNative(this.euler, ra, dec);
    const [ix, iy] = this.definition.projection.s2x(phi, theta);
    if (Number.isNaN(ix) || Number.isNaN(iy)) return [NaN, NaN];
    const [fx, fy] = intermediateToPixel(this.lin, ix, iy);
    const sip = this.definition.sip;
    if (!sip) return [fx, fy];
    if (options.sipInverse === "polynomial") {
      if (!sip.ap || !sip.bp) throw new Error(`${this.where}: the SIP distortion has no AP/BP inverse coefficients`);
      return sipInversePolynomial(sip, fx, fy);
    }
    return sipInverse(sip, fx, fy);
  }

  /** A one-line description, e.g. "TAN-SIP (order 4), ICRS, CRVAL (5.63, -72.05)". */
  describe(): string {
    const d = this.definition;
    const sip = d.sip ? `-SIP (order ${d.sip.a.order}${d.sip.ap ? `, inverse order ${d.sip.ap.order}` : ""})` : "";
    const frame = `${d.frame}${d.equinox ? ` J${d.equinox}` : ""}`;
    return `${d.projection.code}${sip}, ${frame}, CRVAL (${d.crval.join(", ")}), CRPIX (${d.linear.crpix.join(", ")})`;
  }
}

/** The celestial WCS of a header (see parseWcs for what is accepted and refused). */
export function headerWcs(header: Header, where: string, key = ""): Wcs {
  return new Wcs(parseWcs(header, where, key));
}

/** The celestial WCS of an HDU; errors name the file and HDU. */
export function hduWcs(hdu: Hdu, key = ""): Wcs {
  return headerWcs(hdu.header, hdu.where, key);
}
