"""Formatting helpers."""

CURRENCY = "EUR"


def format_price(value: float) -> str:
    """Format a price with its currency, two decimals."""
    return f"{value:.2f} {CURRENCY}"
