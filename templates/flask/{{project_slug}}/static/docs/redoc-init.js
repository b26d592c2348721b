// Starts ReDoc on the element #redoc with the spec URL from its data-url attribute.
//
// ReDoc's sidebar credits Redocly with a logo image loaded from Redocly's servers, and
// no ReDoc option turns it off. The docs make no request outside this site: an image
// from another site is given no source (and hidden); the "API docs by Redocly" link stays.
(function () {
  function offSite(value) {
    var url = new URL(String(value), document.baseURI);
    return url.origin !== location.origin && !/^(data|blob):$/.test(url.protocol);
  }
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: src.get,
    set: function (value) {
      if (offSite(value)) {
        this.hidden = true;
      } else {
        src.set.call(this, value);
      }
    },
  });
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    var isSrc = String(name).toLowerCase() === "src";
    if (this instanceof HTMLImageElement && isSrc && offSite(value)) {
      this.hidden = true;
      return;
    }
    setAttribute.call(this, name, value);
  };
})();

window.addEventListener("load", function () {
  var root = document.getElementById("redoc");
  Redoc.init(root.dataset.url, { hideDownloadButton: false }, root);
});
