"""xuhui_desk — the workstation of Xuhui District's enterprise service stations."""

__version__ = "0.1.0"
