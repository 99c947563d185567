// Kindred meetings: adds the time in the viewer's own zone when it differs from the
// meeting's. Optional: without it the page shows the meeting's zone and UTC.
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  var nodes = document.querySelectorAll("[data-utc-start]");
  for (var i = 0; i < nodes.length; i++) {
    var n = nodes[i];
    if (!zone || zone === n.getAttribute("data-meeting-zone")) { continue; }
    var start = new Date(n.getAttribute("data-utc-start"));
    var end = new Date(n.getAttribute("data-utc-end"));
    var lang = document.documentElement.lang || undefined;
    var day = start.toLocaleString(lang, { dateStyle: "long", timeStyle: "short", timeZone: zone });
    var until = end.toLocaleTimeString(lang, { timeStyle: "short", timeZone: zone });
    n.textContent = n.getAttribute("data-label") + " " + day + " – " + until + " (" + zone + ")";
    n.hidden = false;
  }
})();
