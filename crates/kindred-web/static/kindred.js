// Kindred portal: optional improvements only; every page works without this file.
// Quick exit: leave for the neutral page and replace this history entry, so the
// back button does not return here; pressing Escape twice does the same.
(function () {
  "use strict";
  var exit = document.getElementById("quick-exit");
  if (!exit) { return; }
  function leave(event) {
    if (event) { event.preventDefault(); }
    try { document.body.innerHTML = ""; } catch (e) { /* nothing to hide */ }
    window.location.replace(exit.href);
  }
  exit.addEventListener("click", leave);
  var last = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    if (now - last < 1000) { leave(event); }
    last = now;
  });
}());
