/* MVOI site: draws the Plotly charts from their JSON and filters the tables
   (text and government layer).
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
  // A table's filters (page.html.j2, div.filters): a row stays visible when it holds every
  // typed word and, with a layer chosen, its data-layer cell is that layer.
  function words(text) {
    return text.toLowerCase().split(/\s+/).filter(Boolean);
  }
  function layerOf(row) {
    var cell = row.querySelector("[data-layer]");
    return cell ? cell.getAttribute("data-layer") : "";
  }
  function filterTable(box) {
    var table = document.getElementById(box.getAttribute("data-filters"));
    if (!table || !table.tBodies.length) { return; }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var text = box.querySelector("[data-filter-text]");
    var layer = box.querySelector("[data-filter-layer]");
    var count = box.querySelector(".filter-count");
    function apply() {
      var wanted = text ? words(text.value) : [];
      var chosen = layer ? layer.value : "";
      var shown = 0;
      rows.forEach(function (row) {
        var content = row.textContent.toLowerCase();
        var match = wanted.every(function (w) { return content.indexOf(w) !== -1; }) &&
                    (!chosen || layerOf(row) === chosen);
        row.hidden = !match;
        if (match) { shown += 1; }
      });
      count.textContent = wanted.length || chosen ? shown + " van " + rows.length + " rijen" : "";
    }
    if (text) { text.addEventListener("input", apply); }
    if (layer) { layer.addEventListener("change", apply); }
    apply();
  }
  document.querySelectorAll("div.filters[data-filters]").forEach(filterTable);
})();
