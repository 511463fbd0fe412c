"""The enterprise directory page: the lazy list of enterprises (``model``), correcting one
(``enterprise_dialog``), importing a tenant roster (``roster_import``), the page (``page``)
and the look both tables share (``style``)."""
