// The quick exit also replaces this page in the history, so "back" does not return here
// (without JavaScript the link still leaves the page).
document.getElementById("quick-exit").addEventListener("click", function (e) {
  e.preventDefault();
  window.location.replace(this.href);
});
