// Draws every Plotly figure that book/_ext/igr_plotly.py wrote into the page, with the local
// plotly.min.js (loaded before this file). The figure JSON sits in a child <script> element.
// A figure wider than the text column is drawn at the column's width (and follows it when the
// window is resized) instead of being cut off; narrower figures keep their own size.
(function () {
  function drawAll() {
    document.querySelectorAll("div.igr-plotly").forEach(function (div) {
      var source = div.querySelector('script[type="application/json"]');
      if (!source || div.dataset.drawn) return;
      var fig = JSON.parse(source.textContent);
      var layout = Object.assign({}, fig.layout || {});
      if (layout.width && div.clientWidth > 0 && layout.width > div.clientWidth) {
        delete layout.width;
        layout.autosize = true;
      }
      var target = document.createElement("div");
      div.appendChild(target);
      div.dataset.drawn = "1";
      Plotly.newPlot(target, fig.data, layout, Object.assign({ responsive: true, displaylogo: false }, fig.config || {}));
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
})();
