// Area-averaging resize: each output pixel is the mean of the source over the output pixel's
// footprint, with source pixels weighted by their fractional overlap (105 -> 28 is a factor of
// 3.75, so footprints cut through source pixels). This is what PIL calls BOX and OpenCV INTER_AREA;
// the authors used bilinear resizing instead (docs/paper.md §8), which skips most source pixels at
// this factor and aliases thin strokes.

interface Tap {
  index: number;
  weight: number;
}

/** For each output index along one axis, the source indices and overlap lengths (summing to src/dst). */
function taps(srcSize: number, dstSize: number): Tap[][] {
  const scale = srcSize / dstSize;
  const out: Tap[][] = [];
  for (let i = 0; i < dstSize; i++) {
    const lo = i * scale;
    const hi = (i + 1) * scale;
    const row: Tap[] = [];
    for (let k = Math.floor(lo); k < Math.min(srcSize, Math.ceil(hi)); k++) {
      const w = Math.min(hi, k + 1) - Math.max(lo, k);
      if (w > 0) row.push({ index: k, weight: w });
    }
    out.push(row);
  }
  return out;
}

const tapCache = new Map<string, Tap[][]>();
function cachedTaps(srcSize: number, dstSize: number): Tap[][] {
  const key = `${srcSize}>${dstSize}`;
  let t = tapCache.get(key);
  if (!t) tapCache.set(key, (t = taps(srcSize, dstSize)));
  return t;
}

/** Resizes a row-major `srcWidth x srcHeight` image to `dstWidth x dstHeight` by area averaging. */
export function areaResize(src: ArrayLike<number>, srcWidth: number, srcHeight: number,
  dstWidth: number, dstHeight: number): Float64Array {
  if (src.length !== srcWidth * srcHeight) {
    throw new Error(`areaResize: src has ${src.length} values but srcWidth*srcHeight = ${srcWidth * srcHeight}`);
  }
  const xTaps = cachedTaps(srcWidth, dstWidth);
  const yTaps = cachedTaps(srcHeight, dstHeight);
  const area = (srcWidth / dstWidth) * (srcHeight / dstHeight);
  // Separable: first along x for every source row, then along y.
  const rows = new Float64Array(srcHeight * dstWidth);
  for (let y = 0; y < srcHeight; y++) {
    for (let j = 0; j < dstWidth; j++) {
      let s = 0;
      for (const t of xTaps[j]) s += t.weight * src[y * srcWidth + t.index];
      rows[y * dstWidth + j] = s;
    }
  }
  const out = new Float64Array(dstWidth * dstHeight);
  for (let i = 0; i < dstHeight; i++) {
    for (let j = 0; j < dstWidth; j++) {
      let s = 0;
      for (const t of yTaps[i]) s += t.weight * rows[t.index * dstWidth + j];
      out[i * dstWidth + j] = s / area;
    }
  }
  return out;
}
