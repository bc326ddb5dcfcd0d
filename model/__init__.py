"""reeplan: a linear program for the Western rare-earth permanent-magnet supply chain."""

__version__ = "0.1.0"
