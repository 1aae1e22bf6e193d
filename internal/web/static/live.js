// mdnhub customer pages: count down the time left of requests and rentals,
// and keep a request's page up to date from its events stream. The pages
// work without this script; it only spares a reload.
(function () {
  "use strict";

  function two(n) { return n < 10 ? "0" + n : String(n); }

  // The same format as the server's: 14:05, 1:02:03, 3d 4h.
  function format(s) {
    if (s <= 0) { return "0:00"; }
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    if (d > 0) { return d + "d " + h + "h"; }
    if (h > 0) { return h + ":" + two(m) + ":" + two(s % 60); }
    return m + ":" + two(s % 60);
  }

  // Elements with data-countdown (seconds left when rendered) tick down.
  function tick() {
    var now = Date.now();
    var els = document.querySelectorAll("[data-countdown]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (!el.dataset.deadline) {
        el.dataset.deadline = String(now + Number(el.dataset.countdown) * 1000);
      }
      el.textContent = format(Math.max(0, Math.round((Number(el.dataset.deadline) - now) / 1000)));
    }
  }
  tick();
  setInterval(tick, 1000);

  // A section with data-events is replaced by each "update" event's HTML
  // (rendered and escaped by the server) until the "end" event.
  var live = document.querySelector("[data-events]");
  if (live && window.EventSource) {
    var source = new EventSource(live.dataset.events);
    source.addEventListener("update", function (e) {
      live.innerHTML = e.data;
      tick();
    });
    source.addEventListener("end", function () { source.close(); });
  }
})();
