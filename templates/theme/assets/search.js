// Pagefind needs a web server: over file:// its index cannot be fetched.
window.addEventListener("DOMContentLoaded", function () {
  var hint = document.getElementById("search-hint");
  if (location.protocol === "file:" || typeof PagefindUI === "undefined") {
    if (hint) hint.hidden = false;
    return;
  }
  var container = document.getElementById("search-ui");
  var ui = new PagefindUI({ element: "#search-ui", showSubResults: true, showImages: false, resetStyles: false });
  var input = container.querySelector("input");
  if (input) input.setAttribute("aria-label", container.dataset.label);
  var query = new URLSearchParams(location.search).get("q");
  if (query) ui.triggerSearch(query);
});
