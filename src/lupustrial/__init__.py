"""lupustrial: runs a systemic lupus erythematosus study end to end."""

__version__ = "0.1.0"
