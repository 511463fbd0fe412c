"""The request queue page: the lazy model of requests (``model``), the page with its search,
filters and legend (``view``), its column widths (``columns``), the "received" filter's bounds
(``filters``), its look (``style``) and the detail pane beside it (``reading_pane``)."""
