// A Plotly slider that shows one trace at a time (one per temperature, say): the layout's `sliders`.

/**
 * `sliders` for a figure whose i-th trace belongs to labels[i]; step `active` is shown first.
 * `visible(i)` gives the visibility of every trace at step i when traces and steps are not one to one.
 */
export function visibilitySlider(
  labels: Array<string | number>,
  active: number,
  prefix: string,
  padTop = 40,
  visible: (step: number) => boolean[] = (i) => labels.map((_, j) => j === i),
): Array<Record<string, unknown>> {
  if (!(Number.isInteger(active) && active >= 0 && active < labels.length)) {
    throw new Error(`visibilitySlider: active ${active} is not an index of the ${labels.length} labels`);
  }
  return [{
    active,
    pad: { t: padTop },
    currentvalue: { prefix },
    steps: labels.map((label, i) => ({ label: String(label), method: "restyle", args: ["visible", visible(i)] })),
  }];
}
