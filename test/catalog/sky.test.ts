// Catalogs with RA/Dec: coordinates as degrees or sexagesimal text, the columns named by --sky or found by their
// common names, in CSV, LEGUS and PHANGS files; bad values are bad rows with the reason; missing columns are named.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { readCatalog } from "../../lib/catalog/read";
import { describeBadRow } from "../../lib/catalog/record";
import { parseDec, parseRa, parseSkyOption } from "../../lib/catalog/sky";
import { tempDir } from "../helpers";

const dir = tempDir();
function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

test("RA and Dec: decimal degrees, sexagesimal hours and degrees, and why a value is neither", () => {
  assert.equal(parseRa("150.1167"), 150.1167);
  assert.equal(parseRa("10:00:28.008"), (10 + 0 / 60 + 28.008 / 3600) * 15);
  assert.equal(parseRa("10h00m28.008s"), parseRa("10 00 28.008"));
  assert.equal(parseDec("+02:12:20.88"), 2 + 12 / 60 + 20.88 / 3600);
  assert.equal(parseDec("-00:30:00"), -0.5, "the sign of a declination between 0 and -1 degree is kept");
  assert.equal(parseDec("\u221200d30m00s"), -0.5, "Unicode minus");
  assert.equal(parseDec("-62.7"), -62.7);
  assert.match(String(parseRa("400")), /RA 400 is not within 0-360 degrees/);
  assert.match(String(parseRa("25:00:00")), /RA '25:00:00' is not a time of 0-24 h/);
  assert.match(String(parseRa("10:61:00")), /not a time of 0-24 h/);
  assert.match(String(parseRa("-10:00:00")), /not a time/);
  assert.match(String(parseRa("")), /RA '' is neither degrees nor sexagesimal hours/);
  assert.match(String(parseRa("0x10")), /neither degrees nor sexagesimal/);
  assert.match(String(parseDec("95")), /Dec 95 is not within -90 to \+90 degrees/);
  assert.match(String(parseDec("+91:00:00")), /not an angle of -90 to \+90 degrees/);
  assert.deepEqual(parseSkyOption(" RAJ2000 , DEJ2000 "), ["RAJ2000", "DEJ2000"]);
  assert.throws(() => parseSkyOption("ra"), /--sky ra: expected two columns, RA then Dec/);
  assert.throws(() => parseSkyOption("ra,"), /expected two columns/);
});

test("CSV without x, y: RA/Dec found by name (no pixel convention needed), sexagesimal cells, bad values as bad rows", () => {
  const file = write(
    "vizier.csv",
    "id,RAJ2000,DEJ2000,class,x_note\n1,150.1,2.2,1,a\n2,10:00:28.0,+02:12:21,2,b\n3,400,2.2,3,c\n4,150.1,,4,d\n",
  );
  const cat = readCatalog(file, { field: "F" });
  assert.deepEqual(cat.position, { kind: "sky", description: "RA/Dec from columns RAJ2000, DEJ2000 (found by name)" });
  assert.deepEqual(
    cat.records.map((r) => [r.id, r.x, r.y, r.ra, r.dec]),
    [
      ["1", undefined, undefined, 150.1, 2.2],
      ["2", undefined, undefined, (10 + 28 / 3600) * 15, 2 + 12 / 60 + 21 / 3600],
    ],
  );
  assert.deepEqual(cat.badRows.map(describeBadRow), [
    "line 4: RA 400 is not within 0-360 degrees",
    "line 5: Dec '' is neither degrees nor sexagesimal (+dd:mm:ss.s)",
  ]);
  assert.equal(cat.records[0].extra.x_note, "a");
  assert.equal(cat.records[0].extra.RAJ2000, undefined, "the sky columns are named, not extra");

  // Two known pairs: the first of the list is used, the log names the other.
  const two = readCatalog(write("two.csv", "id,_RAJ2000,_DEJ2000,ra,dec,class\n1,1,2,3,4,1\n"), { field: "F" });
  assert.equal(
    two.position.description,
    "RA/Dec from columns ra, dec (found by name; also present: _RAJ2000/_DEJ2000, --sky picks another)",
  );
  assert.deepEqual([two.records[0].ra, two.records[0].dec], [3, 4]);
});

test("CSV with --sky: those columns, even beside x, y; a missing column, and a CSV with no position, named", () => {
  const file = write("both.csv", "id,x,y,ra_icrs,de_icrs,class\n1,10,20,150.5,-2.5,1\n");
  const pixels = readCatalog(file, { field: "F", pixels: "fits" });
  assert.deepEqual([pixels.position.kind, pixels.records[0].x, pixels.records[0].ra], ["pixel", 10, undefined]);
  const sky = readCatalog(file, { field: "F", sky: ["RA_ICRS", "DE_ICRS"] });
  assert.deepEqual(sky.position, { kind: "sky", description: "RA/Dec from columns RA_ICRS, DE_ICRS (--sky)" });
  assert.deepEqual(
    [sky.records[0].x, sky.records[0].ra, sky.records[0].dec, sky.records[0].extra.x],
    [undefined, 150.5, -2.5, "10"],
  );
  assert.throws(
    () => readCatalog(file, { field: "F", sky: ["ra_icrs", "dec"] }),
    /both\.csv: no column\(s\) dec for --sky ra_icrs,dec \(have: id, x, y, ra_icrs, de_icrs, class\)/,
  );
  assert.throws(
    () => readCatalog(write("none.csv", "id,alpha,delta,class\n1,2,3,1\n"), { field: "F" }),
    /none\.csv: CSV header has no position: neither x, y \(pixels\) nor an RA\/Dec pair of a known name .*; name the sky columns with --sky RA_COL,DEC_COL/,
  );
  assert.throws(
    () => readCatalog(file, { field: "F" }),
    /pixel convention/,
    "x, y present: pixels, whose convention must be given",
  );
});

test("LEGUS with --sky 4,5: RA/Dec from those columns (pixel columns unused); names instead of numbers refused", () => {
  const row = (id: number, x: string, ra: string) =>
    [id, x, "20.5", ra, "-62.7", ...new Array(28).fill("1"), "1"].join(" ");
  const file = write(
    "hlsp_legus_hst_wfc3_ngc9999_multiband_v1_padagb-mwext-avgapcor.tab",
    [row(1, "10", "64.1"), row(2, "-1", "64.2"), row(3, "5", "361")].join("\n") + "\n",
  );
  const pixels = readCatalog(file, { classColumn: 34 });
  assert.deepEqual(
    pixels.records.map((r) => [r.id, r.x, r.ra]),
    [
      ["1", 10, 64.1],
      ["3", 5, 361],
    ],
    "x = -1 is a bad pixel position; RA 361 is kept beside pixels",
  );
  const sky = readCatalog(file, { classColumn: 34, sky: ["4", "5"] });
  assert.deepEqual(sky.position, { kind: "sky", description: "RA/Dec from columns 4, 5 (--sky)" });
  assert.deepEqual(
    sky.records.map((r) => [r.id, r.x, r.y, r.ra, r.dec]),
    [
      ["1", undefined, undefined, 64.1, -62.7],
      ["2", undefined, undefined, 64.2, -62.7],
    ],
  );
  assert.deepEqual(sky.badRows.map(describeBadRow), ["line 3: RA 361 is not within 0-360 degrees"]);
  assert.throws(
    () => readCatalog(file, { classColumn: 34, sky: ["ra", "dec"] }),
    /--sky ra,dec: a LEGUS table has no header, so --sky takes 1-based column numbers \(RA and Dec are 4,5\)/,
  );
  assert.deepEqual(
    readCatalog(file, { classColumn: 34, sky: ["4", "40"] }).badRows.length,
    3,
    "a row without column 40 is a bad row",
  );
});

test("PHANGS without PHANGS_X/Y: positions from PHANGS_RA/DEC; with --sky from the columns named", () => {
  const header = "ID_PHANGS_CLUSTER,PHANGS_RA,PHANGS_DEC,PHANGS_CLUSTER_CLASS_HUMAN,PHANGS_F275W_VEGA_TOT";
  const file = write("ngc1559_sky.csv", [header, "17,64.1,-62.7,2,22.1", "18,nan,-62.8,1,-9999"].join("\n") + "\n");
  const cat = readCatalog(file);
  assert.deepEqual(cat.position, {
    kind: "sky",
    description: "RA/Dec from columns PHANGS_RA, PHANGS_DEC (no PHANGS_X/Y)",
  });
  assert.deepEqual(
    cat.records.map((r) => [r.id, r.x, r.ra, r.dec, r.class]),
    [["17", undefined, 64.1, -62.7, 2]],
  );
  assert.deepEqual(cat.badRows.map(describeBadRow), [
    "line 3: RA 'nan' is neither degrees nor sexagesimal hours (hh:mm:ss.s)",
  ]);
  const withPixels = write(
    "ngc1559_both.csv",
    "ID_PHANGS_CLUSTER,PHANGS_X,PHANGS_Y,PHANGS_RA,PHANGS_DEC,PHANGS_CLUSTER_CLASS_HUMAN\n17,99,199,64.1,-62.7,2\n",
  );
  assert.deepEqual(
    readCatalog(withPixels).records.map((r) => [r.x, r.y, r.ra]),
    [[100, 200, 64.1]],
    "pixels by default, RA/Dec kept beside",
  );
  assert.deepEqual(
    readCatalog(withPixels, { sky: ["phangs_ra", "phangs_dec"] }).records.map((r) => [r.x, r.ra]),
    [[undefined, 64.1]],
  );
  assert.throws(
    () => readCatalog(write("ngc1_x.csv", "ID_PHANGS_CLUSTER,PHANGS_X,PHANGS_CLUSTER_CLASS_HUMAN\n1,2,3\n")),
    /ngc1_x\.csv: not a PHANGS-HST cluster catalog: no column\(s\) PHANGS_Y, and no RA\/Dec pair \(PHANGS_RA, PHANGS_DEC\) either/,
  );
});
