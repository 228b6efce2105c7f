// The Okabe–Ito palette: eight colours that stay distinct under the common colour-vision
// deficiencies. Every figure gets it as its default colorway; notebooks name colours from here.
export const OKABE_ITO = {
  black: "#000000",
  orange: "#E69F00",
  skyBlue: "#56B4E9",
  bluishGreen: "#009E73",
  yellow: "#F0E442",
  blue: "#0072B2",
  vermillion: "#D55E00",
  reddishPurple: "#CC79A7",
} as const;

/** Trace colours in order (black last: it is kept for reference lines). */
export const COLORWAY: string[] = [
  OKABE_ITO.blue, OKABE_ITO.vermillion, OKABE_ITO.bluishGreen, OKABE_ITO.orange,
  OKABE_ITO.reddishPurple, OKABE_ITO.skyBlue, OKABE_ITO.yellow, OKABE_ITO.black,
];

/** One colour per model family, the same in every notebook. */
export const FAMILY_COLORS: Record<string, string> = {
  "igr-i": OKABE_ITO.blue,
  "igr-planar": OKABE_ITO.bluishGreen,
  "igr-sb": OKABE_ITO.reddishPurple,
  gs: OKABE_ITO.vermillion,
};
