"""A tiny shop: products, a cart and a checkout."""

from shop.models import DiscountedProduct, Product
from shop.utils import format_price

__all__ = ["Product", "DiscountedProduct", "format_price"]
