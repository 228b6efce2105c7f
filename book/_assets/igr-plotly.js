// Draws every Plotly figure that book/_ext/igr_plotly.py wrote into the page, with the local
// plotly.min.js (loaded before this file). The figure JSON sits in a child <script> element.
(function () {
  function drawAll() {
    document.querySelectorAll("div.igr-plotly").forEach(function (div) {
      var source = div.querySelector('script[type="application/json"]');
      if (!source || div.dataset.drawn) return;
      var fig = JSON.parse(source.textContent);
      var target = document.createElement("div");
      div.appendChild(target);
      div.dataset.drawn = "1";
      Plotly.newPlot(target, fig.data, fig.layout || {}, Object.assign({ responsive: true, displaylogo: false }, fig.config || {}));
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
})();
