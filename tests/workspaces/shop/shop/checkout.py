"""Turning a cart into an order."""

from .cart import Cart
from .utils import format_price


def checkout(cart: Cart) -> str:
    """Charge the cart and return the receipt line."""
    amount = cart.total()
    return "paid " + format_price(amount)


def quick_checkout(*products) -> str:
    cart = Cart()
    for product in products:
        cart.add(product)
    return checkout(cart)
