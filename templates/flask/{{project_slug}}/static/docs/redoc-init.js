// Starts ReDoc on the element #redoc with the spec URL from its data-url attribute.
window.addEventListener("load", function () {
  var root = document.getElementById("redoc");
  Redoc.init(root.dataset.url, { hideDownloadButton: false }, root);
});
