// Progressive enhancement only: every action works without this script.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Timestamps: shown in the viewer's zone, the UTC original on hover.
  var format = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    timeZoneName: "short"
  });
  function localise(root) {
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when.getTime())) { return; }
      el.title = el.getAttribute("datetime").replace("T", " ").replace(/\.\d+/, "").replace("Z", " UTC");
      el.textContent = format.format(when);
    });
  }

  // Forms that deserve a second thought ask for confirmation.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  // Copy buttons for a freshly created key.
  document.addEventListener("click", function (event) {
    var id = event.target.getAttribute && event.target.getAttribute("data-copy");
    if (!id) { return; }
    var field = document.getElementById(id);
    field.select();
    if (navigator.clipboard) { navigator.clipboard.writeText(field.value); }
    event.target.textContent = "Copied";
  });

  document.addEventListener("DOMContentLoaded", function () { localise(document); });
})();
