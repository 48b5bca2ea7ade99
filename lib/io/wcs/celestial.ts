// Native spherical <-> celestial coordinates: the rotation fixed by the reference point (CRVAL), the native
// longitude of the celestial pole (LONPOLE) and its latitude (LATPOLE), ported from WCSLIB's celset (cel.c) and
// sphx2s/sphs2x (sph.c) with their defaults, tolerances and special cases (FITS WCS Paper II, section 2.4).
import { acosd, asind, atan2d, cosd, sincosd, sind } from "./trig";

/** Euler angles of the rotation: celestial longitude of the native pole, 90 - its latitude, LONPOLE, cos, sin. */
export type Euler = [number, number, number, number, number];

export interface PoleRequest {
  /** CRVAL1, CRVAL2: celestial coordinates of the fiducial point. */
  lng0: number;
  lat0: number;
  /** LONPOLE, undefined for WCSLIB's default (180 if lat0 < theta0, else 0). */
  lonpole?: number;
  /** LATPOLE (default +90): picks between the two solutions when the fiducial point is not the native pole. */
  latpole: number;
  /** Native coordinates of the fiducial point (the projection's defaults). */
  phi0: number;
  theta0: number;
}

const TOL = 1e-10;

/** Wraps an angle into [-180, 180] the way celset does (one step of 360). */
const wrap180 = (a: number): number => (a > 180 ? a - 360 : a < -180 ? a + 360 : a);

/** The native longitude of the celestial pole: LONPOLE, else WCSLIB's default. */
function nativePoleLongitude(req: PoleRequest): number {
  if (req.lonpole !== undefined && req.lonpole !== 999) return req.lonpole;
  return wrap180((req.lat0 < req.theta0 ? 180 : 0) + req.phi0);
}

/** The celestial latitude of the native pole when the fiducial point is away from it (two candidates, LATPOLE picks). */
function nativePoleLatitude(req: PoleRequest, phip: number, where: string): number {
  const { lat0, theta0, phi0 } = req;
  let latp = req.latpole;
  const [slat0] = sincosd(lat0);
  const [sthe0, cthe0] = sincosd(theta0);
  let u: number;
  let v: number;
  if (phip === phi0) {
    u = theta0;
    v = 90 - lat0;
  } else {
    const [sphip, cphip] = sincosd(phip - phi0);
    void sphip;
    const x = cthe0 * cphip;
    const y = sthe0;
    const z = Math.sqrt(x * x + y * y);
    if (z === 0) {
      if (slat0 !== 0)
        throw new Error(`${where}: invalid celestial WCS: CRVAL of the latitude must be 0 for |LONPOLE - phi0| = 90`);
      return Math.max(-90, Math.min(90, latp)); // LATPOLE alone decides
    }
    let slz = slat0 / z;
    if (Math.abs(slz) > 1) {
      if (Math.abs(slz) - 1 >= TOL) {
        throw new Error(
          `${where}: invalid celestial WCS: |CRVAL2| <= ${asind(z).toFixed(3)} is required for this LONPOLE`,
        );
      }
      slz = slz > 0 ? 1 : -1;
    }
    u = atan2d(y, x);
    v = acosd(slz);
  }
  const latp1 = wrap180(u + v);
  const latp2 = wrap180(u - v);
  if (Math.abs(latp - latp1) < Math.abs(latp - latp2)) latp = Math.abs(latp1) < 90 + TOL ? latp1 : latp2;
  else latp = Math.abs(latp2) < 90 + TOL ? latp2 : latp1;
  if (Math.abs(latp) < 90 + TOL) latp = Math.max(-90, Math.min(90, latp)); // rounding error
  return latp;
}

/** The celestial longitude of the native pole, with the sign of the fiducial point's longitude (celset). */
function nativePoleCelestialLongitude(req: PoleRequest, phip: number, latp: number): number {
  const { lng0, lat0, theta0, phi0 } = req;
  const [slat0, clat0] = sincosd(lat0);
  const [sthe0, cthe0] = sincosd(theta0);
  const sphip = phip === phi0 ? 0 : sincosd(phip - phi0)[0];
  let lngp: number;
  const z = cosd(latp) * clat0;
  if (Math.abs(z) < TOL) {
    if (Math.abs(clat0) < TOL)
      lngp = lng0; // celestial pole at the fiducial point
    else if (latp > 0)
      lngp = lng0 + phip - phi0 - 180; // celestial north pole at the native pole
    else lngp = lng0 - phip + phi0; // celestial south pole at the native pole
  } else {
    const x = (sthe0 - sind(latp) * slat0) / z;
    const y = (sphip * cthe0) / clat0;
    lngp = lng0 - atan2d(y, x);
  }
  if (lng0 >= 0) {
    if (lngp < 0) lngp += 360;
    else if (lngp > 360) lngp -= 360;
  } else if (lngp > 0) lngp -= 360;
  else if (lngp < -360) lngp += 360;
  return lngp;
}

/** The Euler angles of the native -> celestial rotation (WCSLIB celset). */
export function eulerAngles(req: PoleRequest, where: string): Euler {
  const phip = nativePoleLongitude(req);
  let lngp: number;
  let latp: number;
  if (req.theta0 === 90) {
    // Fiducial point at the native pole (zenithal projections).
    lngp = req.lng0;
    latp = req.lat0;
  } else {
    latp = nativePoleLatitude(req, phip, where);
    lngp = nativePoleCelestialLongitude(req, phip, latp);
  }
  if (Math.abs(latp) > 90 + TOL) {
    throw new Error(`${where}: ill-conditioned celestial WCS: no valid latitude of the native pole for this LONPOLE`);
  }
  const [s, c] = sincosd(90 - latp);
  return [lngp, 90 - latp, phip, c, s];
}

/** Normalises a celestial longitude as sphx2s does: same sign as the pole's, within (-360, 360). */
function normaliseLongitude(lng: number, eul: Euler): number {
  if (eul[0] >= 0) {
    if (lng < 0) lng += 360;
  } else if (lng > 0) lng -= 360;
  if (lng > 360) lng -= 360;
  else if (lng < -360) lng += 360;
  return lng;
}

/** Native (phi, theta) -> celestial (lng, lat) in degrees (WCSLIB sphx2s for one point). */
export function nativeToCelestial(eul: Euler, phi: number, theta: number): [number, number] {
  if (eul[4] === 0) {
    if (eul[1] === 0) return [normaliseLongitude(phi + ((eul[0] + 180 - eul[2]) % 360), eul), theta];
    return [normaliseLongitude(((eul[0] + eul[2]) % 360) - phi, eul), -theta];
  }
  const dphi = phi - eul[2];
  const [sinthe, costhe] = sincosd(theta);
  const [sinphi, cosphi] = sincosd(dphi);
  let x = sinthe * eul[4] - costhe * eul[3] * cosphi;
  if (Math.abs(x) < 1e-5) x = -cosd(theta + eul[1]) + costhe * eul[3] * (1 - cosphi); // less round-off
  const y = -costhe * sinphi;
  const dlng = x !== 0 || y !== 0 ? atan2d(y, x) : eul[1] < 90 ? dphi + 180 : -dphi;
  const lng = normaliseLongitude(eul[0] + dlng, eul);
  let lat: number;
  if (dphi % 180 === 0) {
    lat = theta + cosphi * eul[1];
    if (lat > 90) lat = 180 - lat;
    if (lat < -90) lat = -180 - lat;
  } else {
    const z = sinthe * eul[3] + costhe * eul[4] * cosphi;
    lat = Math.abs(z) > 0.99 ? Math.sign(z) * acosd(Math.sqrt(x * x + y * y)) : asind(z);
  }
  return [lng, lat];
}

/** Wraps a native longitude into [-180, 180] as sphs2x does. */
const wrapNative = (phi: number): number => (phi > 180 ? phi - 360 : phi < -180 ? phi + 360 : phi);

/** Celestial (lng, lat) -> native (phi, theta) in degrees (WCSLIB sphs2x for one point). */
export function celestialToNative(eul: Euler, lng: number, lat: number): [number, number] {
  if (eul[4] === 0) {
    if (eul[1] === 0) return [wrapNative((lng + ((eul[2] - 180 - eul[0]) % 360)) % 360), lat];
    return [wrapNative((((eul[2] + eul[0]) % 360) - lng) % 360), -lat];
  }
  const dlng = lng - eul[0];
  const [sinlat, coslat] = sincosd(lat);
  const [sinlng, coslng] = sincosd(dlng);
  let x = sinlat * eul[4] - coslat * eul[3] * coslng;
  if (Math.abs(x) < 1e-5) x = -cosd(lat + eul[1]) + coslat * eul[3] * (1 - coslng); // less round-off
  const y = -coslat * sinlng;
  const dphi = x !== 0 || y !== 0 ? atan2d(y, x) : eul[1] < 90 ? dlng - 180 : -dlng;
  const phi = wrapNative((eul[2] + dphi) % 360);
  let theta: number;
  if (dlng % 180 === 0) {
    theta = lat + coslng * eul[1];
    if (theta > 90) theta = 180 - theta;
    if (theta < -90) theta = -180 - theta;
  } else {
    const z = sinlat * eul[3] + coslat * eul[4] * coslng;
    theta = Math.abs(z) > 0.99 ? Math.sign(z) * acosd(Math.sqrt(x * x + y * y)) : asind(z);
  }
  return [phi, theta];
}
