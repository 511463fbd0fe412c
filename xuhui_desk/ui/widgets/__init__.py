"""Small widgets shared by several pages of the GUI."""
