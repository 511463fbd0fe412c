"""The company file (企业档案): the dialog opened from the queue and the directory (``dialog``),
the table of a company's requests (``model``) and the compact strip of its open requests the
intake form embeds (``strip``)."""
