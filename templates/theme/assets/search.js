// Pagefind needs a web server: over file:// its index cannot be fetched.
window.addEventListener("DOMContentLoaded", function () {
  var hint = document.getElementById("search-hint");
  if (location.protocol === "file:" || typeof PagefindUI === "undefined") {
    if (hint) hint.hidden = false;
    return;
  }
  var ui = new PagefindUI({ element: "#search", showSubResults: true, showImages: false, resetStyles: false });
  var query = new URLSearchParams(location.search).get("q");
  if (query) ui.triggerSearch(query);
});
