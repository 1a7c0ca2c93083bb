// The meeting page: the meeting on this device's own clock, when that is neither the
// meeting's zone, the reader's account zone nor UTC (those the server writes already).
(function () {
  "use strict";
  function show() {
    var cell = document.querySelector("[data-device-time]");
    if (!cell || !window.Intl) return;
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || cell.dataset.skip.split(" ").indexOf(zone) !== -1) return;
    var start = new Date(cell.dataset.start), end = new Date(cell.dataset.end);
    var day = { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: zone };
    var time = { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone };
    var startDay = start.toLocaleDateString("en-GB", day);
    var endDay = end.toLocaleDateString("en-GB", day);
    var text = startDay + ", " + start.toLocaleTimeString("en-GB", time) + "–" +
      (endDay === startDay ? "" : endDay + ", ") + end.toLocaleTimeString("en-GB", time) +
      " (" + zone.replace(/_/g, " ") + ")";
    cell.textContent = text;
    document.querySelectorAll(".meeting-page__device").forEach(function (el) { el.hidden = false; });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
  else show();
})();
