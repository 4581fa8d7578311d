/* Draws the Insights charts with Chart.js (vendored from npm). Each <canvas data-chart='{Chart.js config}'> is
 * rendered after htmx swaps it in; colours follow the Dashboard theme. No inline script (CSP script-src 'self'). */
(function () {
  "use strict";
  var PALETTE = ["#2a5bd7", "#e8833a", "#3aa374", "#b3261e", "#8e5bd7", "#6b7074"];

  function draw(root) {
    if (!window.Chart) return;
    var styles = getComputedStyle(document.documentElement);
    window.Chart.defaults.color = styles.getPropertyValue("--muted").trim() || "#6b7074";
    window.Chart.defaults.borderColor = styles.getPropertyValue("--line").trim() || "#e4e6e8";
    window.Chart.defaults.animation = false;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var config = JSON.parse(canvas.getAttribute("data-chart"));
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false }, config.options || {});
      config.data.datasets.forEach(function (set, i) {
        var doughnut = config.type === "doughnut";
        set.backgroundColor = doughnut ? PALETTE : PALETTE[i % PALETTE.length];
        set.borderColor = doughnut ? "transparent" : PALETTE[i % PALETTE.length];
      });
      new window.Chart(canvas, config);
      canvas.dataset.drawn = "1";
    });
  }

  document.addEventListener("htmx:afterSettle", function (event) { draw(event.detail.elt || document); });
})();
