/* MVOI site: draws the Plotly charts from their JSON and filters the organisation list.
   No network: plotly.min.js is a file of the site. */
(function () {
  "use strict";
  var config = { responsive: true, displaylogo: false, locale: "nl",
                 modeBarButtonsToRemove: ["lasso2d", "select2d", "toImage"] };
  if (window.Plotly) {
    document.querySelectorAll("script.chart-spec").forEach(function (node) {
      var target = document.getElementById(node.getAttribute("data-target"));
      if (!target) { return; }
      var spec = JSON.parse(node.textContent);
      window.Plotly.newPlot(target, spec.data, spec.layout, config);
    });
  }
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var table = document.querySelector('table[data-table="' + input.getAttribute("data-filter") + '"]');
    var result = document.getElementById("zoek-resultaat");
    if (!table) { return; }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var text = row.textContent.toLowerCase();
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        row.hidden = !match;
        if (match) { shown += 1; }
      });
      if (result) { result.textContent = words.length ? shown + " van " + rows.length + " organisaties" : ""; }
    });
  });
})();
