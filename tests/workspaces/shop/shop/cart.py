"""A shopping cart."""

from shop.models import Product
from shop.utils import format_price


class Cart:
    """Products and quantities waiting for checkout."""

    def __init__(self):
        self.lines: list[tuple[Product, int]] = []

    def add(self, product: Product, quantity: int = 1) -> None:
        self.lines.append((product, quantity))

    def total(self) -> float:
        return sum(product.total(quantity) for product, quantity in self.lines)

    def summary(self) -> str:
        return format_price(self.total())
