/* retold report.  The data is parsed once from the JSON block; the DOM of a view is built only
   when it is opened (hash routes: #/stories, #/story/ID, #/pair/A/B, #/copies, #/copies/ID,
   #/reused, #/about), and the story and cluster lists are paged, so large reports open fast.
   All text goes into the page through text nodes, never innerHTML. */
/* This frame holds the parts (report_base.js, report_stories.js, ...): render.py puts them, in
   the order of its SCRIPT_PARTS, where the marker line stands, so they share one scope. */
(function () {
  "use strict";

  /* @parts@ */
})();
