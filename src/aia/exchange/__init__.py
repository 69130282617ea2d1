"""Exchange with other qualitative-analysis tools (REFI-QDA: :mod:`aia.exchange.refi`)."""
