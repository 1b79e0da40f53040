// RequireJS configuration for the Jupyter widget manager served by the book itself.
//
// Loaded before require.js on pages that hold widgets (see nb_ipywidgets_js in _config.yml).
// embed-amd.js defines its bundles as named AMD modules and finds its icon fonts next to the
// URL RequireJS gives each module. Mapping every bundled module to _static/ipywidgets/ keeps
// those fonts on this site. The standard controls (@jupyter-widgets/base, controls, output)
// are inside embed-amd.js, so nothing is fetched from a CDN; a widget from any other package
// would be looked up under _static/ipywidgets/missing/ and fail without leaving the site.
(function () {
  "use strict";
  var dir = new URL("ipywidgets/", document.currentScript.src).href;
  var bundled = [
    "@jupyter-widgets/base",
    "@jupyter-widgets/base7",
    "@jupyter-widgets/controls",
    "@jupyter-widgets/controls7",
    "@jupyter-widgets/html-manager",
    "@jupyter-widgets/html-manager/dist/libembed-amd",
  ];
  var paths = {};
  bundled.forEach(function (name) {
    paths[name] = dir + name.replace(/\//g, "_");
  });
  window.require = { paths: paths };
  // libembed reads its "CDN" for third-party widget modules from this attribute on any script.
  document.currentScript.setAttribute("data-jupyter-widgets-cdn", dir + "missing/");

  // ipywidgets 8 typesets widget labels with the MathJax 2 call
  // MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]), while the book runs MathJax 3, which
  // has no Hub: the call throws. Translate that one call into MathJax 3's typesetPromise,
  // queued behind MathJax's own work. MathJax is a deferred script, so it exists by
  // DOMContentLoaded; the widgets render later, at the load event.
  document.addEventListener("DOMContentLoaded", function () {
    var mathjax = window.MathJax;
    if (!mathjax || !mathjax.startup || mathjax.Hub) return;
    mathjax.Hub = {
      Queue: function (job) {
        var element = job[2];
        mathjax.startup.promise = mathjax.startup.promise.then(function () {
          return mathjax.typesetPromise([element]);
        });
        return mathjax.startup.promise;
      },
    };
  });
})();
